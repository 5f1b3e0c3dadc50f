#!/usr/bin/env bash
# Scenario P: passthrough, Gripway against a plain Spring Cloud Gateway (the anchor), optionally Pushpin, and the
# origin directly, all in one invocation. See bench/README.md, "Scenario P".
#
#   bench/passthrough.sh                       # Gripway, plain SCG, direct; 3 reps of wrk -t1 -c50 -d10s, interleaved
#   WITH_PUSHPIN=1 bench/passthrough.sh        # and Pushpin (../shared/pushpin-local.sh), when pushpin is installed
#
# Env (all optional):
#   P_DURATION_S (10), P_WARMUP_S (10), P_CONNS (50), P_THREADS (1), P_REPEATS (3), P_PATH (/plain)
#   P_BASE_PORT      origin on it, plain SCG on +5, Gripway on +10/+11/+12 (http/publish/management), each variant
#                    10 further (default 29100)
#   WITH_PUSHPIN=1   also Pushpin, clients on P_PUSHPIN_HTTP_PORT (17999; its publish and internal ports: 15560-15563)
#   GRIPWAY_JAVA_OPTS  JVM options of both Java proxies (default: deploy/jvm.options -XX:MaxRAM=$POD_MEMORY, as bench/run.sh)
#   P_RELAY=0        leave out the bare Reactor Netty relay (bench/relay/RawRelay.java, on base +6): what a passthrough
#                    fast path with no gateway machinery could reach, on the same libraries and JVM options
#   P_JFR=1          also record JFR (settings=profile) for every JVM into <out>/jfr/
#   GRIPWAY_ARGS, SCG_ARGS   extra Spring Boot arguments for Gripway / the plain gateway
#   P_GRIPWAY_VARIANTS "label:--a=b --c=d;label2:-XX:TieredStopAtLevel=4"  more Gripway JVMs, each with these settings
#                    replaced (arguments starting -X or -D go to the JVM, after the shared options), measured
#                    in the same interleaved loop (for a breakdown of Gripway's cost)
#   GRIPWAY_JAR      the jar (default target/gripway-*.jar, built when missing)
#   P_OUT_DIR        where passthrough.{json,txt} go (default bench/results/<UTC date-time>/)
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/.." && pwd)"
SHARED_BENCH="${SHARED_BENCH:-$REPO/../shared/bench}"
[ -f "$SHARED_BENCH/lib/origin.js" ] || { echo "bench/passthrough.sh: shared harness not found at $SHARED_BENCH (set SHARED_BENCH)" >&2; exit 2; }
SHARED_BENCH="$(cd "$SHARED_BENCH" && pwd)"
command -v wrk >/dev/null || { echo "bench/passthrough.sh: wrk not installed" >&2; exit 2; }

# the anchor must be the same gateway: the same Spring Boot parent and Spring Cloud release as Gripway's pom
pom_value() { grep -m1 -o "$2" "$1" | sed -E 's/<[^>]+>//g'; }
for f in '<version>[^<]*</version>' '<spring-cloud.version>[^<]*</spring-cloud.version>'; do
  a="$(sed -n '/<parent>/,/<\/properties>/p' "$REPO/pom.xml" | grep -m1 -o "$f" || true)"
  b="$(sed -n '/<parent>/,/<\/properties>/p' "$HERE/plain-scg/pom.xml" | grep -m1 -o "$f" || true)"
  [ -n "$a" ] && [ "$a" = "$b" ] || { echo "bench/passthrough.sh: bench/plain-scg/pom.xml has $b, pom.xml $a; make them equal" >&2; exit 2; }
done

jar_in() { ls "$1"/*.jar 2>/dev/null | grep -v '\.original$' | head -1 || true; }
GRIPWAY_JAR="${GRIPWAY_JAR:-$(jar_in "$REPO/target")}"
if [ -z "$GRIPWAY_JAR" ]; then
  echo "bench/passthrough.sh: building Gripway's jar"
  (cd "$REPO" && ./mvnw -q -B -ntp -DskipTests package)
  GRIPWAY_JAR="$(jar_in "$REPO/target")"
fi
SCG_DIR="$HERE/plain-scg"
SCG_JAR="$(jar_in "$SCG_DIR/target")"
if [ -z "$SCG_JAR" ] || [ -n "$(find "$SCG_DIR/src" "$SCG_DIR/pom.xml" -newer "$SCG_JAR" -type f 2>/dev/null | head -1)" ]; then
  echo "bench/passthrough.sh: building the plain gateway (bench/plain-scg)"
  (cd "$REPO" && ./mvnw -q -B -ntp -f bench/plain-scg/pom.xml -DskipTests package)
  SCG_JAR="$(jar_in "$SCG_DIR/target")"
fi

# the bare relay (bench/relay/RawRelay.java) runs on Gripway's own libraries, taken out of its jar once per jar
RELAY_LIB=""
if [ "${P_RELAY:-1}" = "1" ]; then
  RELAY_DIR="$REPO/target/relay"
  if [ ! -f "$RELAY_DIR/.from" ] || [ "$(cat "$RELAY_DIR/.from")" != "$(cksum < "$GRIPWAY_JAR")" ]; then
    rm -rf "$RELAY_DIR" && mkdir -p "$RELAY_DIR"
    (cd "$RELAY_DIR" && jar xf "$GRIPWAY_JAR" BOOT-INF/lib)
    cksum < "$GRIPWAY_JAR" > "$RELAY_DIR/.from"
  fi
  RELAY_LIB="$RELAY_DIR/BOOT-INF/lib"
fi

OUT="${P_OUT_DIR:-$HERE/results/$(date -u +%Y%m%d-%H%M%S)}"
mkdir -p "$OUT"
# as deployed, the same for both Java proxies (bench/run.sh uses the same default)
POD_MEMORY="${POD_MEMORY:-768m}"
JAVA_OPTS="${GRIPWAY_JAVA_OPTS:-$(cat "$REPO/deploy/jvm.options") -XX:MaxRAM=$POD_MEMORY}"
if [ "${P_JFR:-0}" = "1" ]; then
  mkdir -p "$OUT/jfr"
  # one Java sample a millisecond (profile's 10-20 ms gives too few samples per µs of a request), when the JDK's jfr
  # tool can write such settings; deep stacks: a gateway request runs through dozens of Reactor operators, and JFR
  # cuts stacks at 64 frames by default
  JFR_SETTINGS=profile
  if jfr configure --input profile method-profiling=max --output "$OUT/jfr/sampling.jfc" >/dev/null 2>&1; then
    JFR_SETTINGS="$OUT/jfr/sampling.jfc"
  fi
  JAVA_OPTS="$JAVA_OPTS -XX:FlightRecorderOptions=stackdepth=512 -XX:StartFlightRecording=filename=$OUT/jfr/,settings=$JFR_SETTINGS,dumponexit=true"
fi
if [ "${WITH_PUSHPIN:-0}" = "1" ] && ! command -v pushpin >/dev/null; then
  echo "bench/passthrough.sh: WITH_PUSHPIN=1 but pushpin is not installed; measuring without it" >&2
  WITH_PUSHPIN=0
fi

base="${P_BASE_PORT:-29100}"
for p in "$base" $((base + 5)) $((base + 6)) $((base + 10)) $((base + 11)) $((base + 12)); do
  if ss -Hltn "sport = :$p" 2>/dev/null | grep -q .; then
    echo "bench/passthrough.sh: port $p is in use; set P_BASE_PORT" >&2; exit 1
  fi
done

echo "bench/passthrough.sh: results in $OUT"
P_OUT_DIR="$OUT" P_SHARED_BENCH="$SHARED_BENCH" P_JAVA_OPTS="$JAVA_OPTS" P_GRIPWAY_JAR="$GRIPWAY_JAR" P_SCG_JAR="$SCG_JAR" P_RELAY_LIB="$RELAY_LIB" \
  P_BASE_PORT="$base" WITH_PUSHPIN="${WITH_PUSHPIN:-0}" \
  timeout --foreground --signal=TERM 3600 node "$HERE/passthrough.js"
