#!/usr/bin/env bash
# Gripway benchmark: Gripway (in-memory bus) and Pushpin, side by side, in one invocation, with the shared GRIP
# harness (../shared/bench), then scenario E (two Gripway replicas on a Redis bus) and scenario P (passthrough against
# a plain Spring Cloud Gateway, bench/passthrough.sh). See bench/README.md.
#
#   bench/run.sh              # quick mode: A,B,C,D at small sizes, REPEATS=1 (~10 min)
#   MODE=full bench/run.sh    # full mode: sizes up to 19.5k, REPEATS=3 (~1 h)
#
# Env (all optional):
#   MODE             quick (default) | full
#   PROXIES          which proxies to measure, in order (default "gripway,pushpin")
#   SCENARIOS        harness scenarios plus E and P, and S when asked for (default A,B,C,D,E,P; S takes ~13 min at its defaults)
#   SHARED_BENCH     the shared harness (default: ../shared/bench beside this repository)
#   GRIPWAY_JAVA_OPTS  JVM flags for Gripway (default: see GRIPWAY_JAVA_OPTS below and bench/README.md)
#   GRIPWAY_PORT, GRIPWAY_PUBLISH_PORT, GRIPWAY_MGMT_PORT, GRIPWAY_ORIGIN_PORT  Gripway's ports (29999/29561/29081/29082)
#   GRIPWAY_JAR      the jar to run (default: target/gripway-*.jar, built when missing or older than src/main)
#   CDS              1 (default): run Gripway as the image does, from the extracted jar with a class data sharing
#                    archive (target/cds/, made by a training run, remade when the jar, the JVM or the flags change);
#                    0: java -jar on the jar itself
#   GRIPWAY_ARGS     extra Spring Boot arguments for Gripway (e.g. --spring.cloud.gateway.server.webflux.observability.enabled=true)
#   JFR=1            also record a JFR file per Gripway start (bench/results/<run>/gripway-<pid>.jfr)
#   FLOOR_ROUNDS     rounds of bench/floor.js per B size, run after each proxy's scenario B (default 3; 0 skips it)
#   FLOOR_PORT       the port floor.js listens on (default: any free one)
#   anything the harness understands (REPEATS, A_SIZES, B_SIZES, C_*, D_*, A_WINDOW, ...) overrides the mode
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/.." && pwd)"
SHARED_BENCH="${SHARED_BENCH:-$REPO/../shared/bench}"
[ -x "$SHARED_BENCH/run.sh" ] || { echo "bench/run.sh: shared harness not found at $SHARED_BENCH (set SHARED_BENCH)" >&2; exit 2; }
SHARED_BENCH="$(cd "$SHARED_BENCH" && pwd)"

MODE="${MODE:-quick}"
PROXIES="${PROXIES:-gripway,pushpin}"
ALL_SCENARIOS="${SCENARIOS:-A,B,C,D,E,P}"
HARNESS_SCENARIOS="$(echo "$ALL_SCENARIOS" | tr ',' '\n' | grep -v -e '^[ESP]$' | paste -sd, - || true)"
case "$MODE" in
  quick)
    export REPEATS="${REPEATS:-1}" A_SIZES="${A_SIZES:-1000,5000}" B_SIZES="${B_SIZES:-1000,5000}"
    export C_DURATION_S="${C_DURATION_S:-5}" D_DURATION_S="${D_DURATION_S:-5}" E_SUBS="${E_SUBS:-1000}" ;;
  full)
    export REPEATS="${REPEATS:-3}" A_SIZES="${A_SIZES:-1000,5000,10000,19500}" B_SIZES="${B_SIZES:-1000,5000,10000,19500}"
    export E_SUBS="${E_SUBS:-5000}" ;;
  *) echo "bench/run.sh: MODE must be quick or full" >&2; exit 2 ;;
esac

STAMP="$(date -u +%Y%m%d-%H%M%S)"
OUT="$HERE/results/$STAMP"
mkdir -p "$OUT"
echo "bench/run.sh: mode $MODE, proxies $PROXIES, scenarios $ALL_SCENARIOS, results in $OUT"

# --- the jar -------------------------------------------------------------------------------------------------------
jar() { ls "$REPO"/target/gripway-*.jar 2>/dev/null | grep -v '\.original$' | head -1; }
# the jar's own mtime is the reproducible-build timestamp, so a stamp file records when it was built
STAMP_FILE="$REPO/target/.bench-built"
if [ -z "${GRIPWAY_JAR:-}" ] && { [ -z "$(jar)" ] || [ ! -f "$STAMP_FILE" ] || [ -n "$(find "$REPO/src/main" "$REPO/pom.xml" -newer "$STAMP_FILE" -type f 2>/dev/null | head -1)" ]; }; then
  echo "bench/run.sh: building the jar"
  (cd "$REPO" && ./mvnw -q -B -ntp -DskipTests package)
  touch "$STAMP_FILE"
fi
JAR="${GRIPWAY_JAR:-$(jar)}"
[ -n "$JAR" ] || { echo "bench/run.sh: no jar in target/" >&2; exit 2; }

# --- Gripway's JVM flags (why: bench/README.md, "JVM flags") -------------------------------------------------------
# as deployed: the options the image and the Helm chart ship (deploy/jvm.options), with MaxRAM set to the chart's pod
# memory limit, so the heap and direct-memory ceilings are the pod's
POD_MEMORY="${POD_MEMORY:-768m}"
GRIPWAY_JAVA_OPTS="${GRIPWAY_JAVA_OPTS:-$(cat "$REPO/deploy/jvm.options") -XX:MaxRAM=$POD_MEMORY}"

GW_PORT="${GRIPWAY_PORT:-29999}"
GW_PUB="${GRIPWAY_PUBLISH_PORT:-29561}"
GW_MGMT="${GRIPWAY_MGMT_PORT:-29081}"
GW_ORIGIN="${GRIPWAY_ORIGIN_PORT:-29082}"
for p in "$GW_PORT" "$GW_PUB" "$GW_MGMT" "$GW_ORIGIN"; do
  if ss -Hltn "sport = :$p" 2>/dev/null | grep -q .; then
    echo "bench/run.sh: port $p is in use; set GRIPWAY_PORT / GRIPWAY_PUBLISH_PORT / GRIPWAY_MGMT_PORT / GRIPWAY_ORIGIN_PORT" >&2; exit 1
  fi
done

# --- how Gripway is launched: as the image does (Dockerfile), unless CDS=0 -----------------------------------------
# the jar extracted (gripway.jar + lib/) and a CDS archive made by a training run of the same JVM with the same flags
# and class path (bench/README.md, "Cold starts"); remade when any of those changes, since a JVM ignores an archive
# made by another build or for another class path (one warning, then it starts without it)
if [ "${CDS:-1}" = "1" ]; then
  CDS_DIR="$REPO/target/cds"
  CDS_KEY="$(sha256sum "$JAR" | cut -d' ' -f1) $(java -version 2>&1 | tr '\n' ' ') $GRIPWAY_JAVA_OPTS"
  if [ ! -f "$CDS_DIR/gripway.jsa" ] || [ "$(cat "$CDS_DIR/.key" 2>/dev/null)" != "$CDS_KEY" ]; then
    echo "bench/run.sh: extracting the jar and making the CDS archive in $CDS_DIR"
    rm -rf "$CDS_DIR"
    java -Djarmode=tools -jar "$JAR" extract --application-filename gripway.jar --destination "$CDS_DIR" >/dev/null
    # with Gripway's arguments (no port is opened: the context exits once refreshed); the environment's GRIPWAY_*
    # port variables would bind to gripway.* properties (GRIPWAY_ORIGIN_PORT to gripway.origin.port), so not those
    # shellcheck disable=SC2086 # word splitting of the options is intended
    env -u GRIPWAY_PORT -u GRIPWAY_PUBLISH_PORT -u GRIPWAY_MGMT_PORT -u GRIPWAY_ORIGIN_PORT \
      java $GRIPWAY_JAVA_OPTS -XX:ArchiveClassesAtExit="$CDS_DIR/gripway.jsa" -Xlog:cds*=error \
      -Dspring.context.exit=onRefresh -jar "$CDS_DIR/gripway.jar" --server.port="$GW_PORT" --gripway.publish.port="$GW_PUB" \
      --management.server.port="$GW_MGMT" --gripway.origin="http://127.0.0.1:$GW_ORIGIN" --logging.level.root=WARN \
      ${GRIPWAY_ARGS:-} >"$OUT/cds-training.log" 2>&1 \
      || { echo "bench/run.sh: CDS training run failed; see $OUT/cds-training.log" >&2; exit 1; }
    echo "$CDS_KEY" >"$CDS_DIR/.key"
  fi
  GRIPWAY_LAUNCH="-XX:SharedArchiveFile=$CDS_DIR/gripway.jsa -jar $CDS_DIR/gripway.jar"
else
  GRIPWAY_LAUNCH="-jar $JAR"
fi
if [ "${JFR:-0}" = "1" ]; then
  # a directory: every start of the JVM writes its own hotspot-pid-<pid>-....jfr there (on exit)
  mkdir -p "$OUT/jfr"
  GRIPWAY_JAVA_OPTS="$GRIPWAY_JAVA_OPTS -XX:StartFlightRecording=filename=$OUT/jfr/,settings=profile,dumponexit=true"
fi
export GRIPWAY_JAVA_OPTS

gripway_cmd() { # $1 http port, $2 publish port, $3 management port, $4 origin port, rest: extra args
  local http="$1" pub="$2" mgmt="$3" origin="$4"; shift 4
  echo "java $GRIPWAY_JAVA_OPTS $GRIPWAY_LAUNCH --server.port=$http --gripway.publish.port=$pub --management.server.port=$mgmt --gripway.origin=http://127.0.0.1:$origin --logging.level.root=WARN ${GRIPWAY_ARGS:-} $*"
}
export -f gripway_cmd 2>/dev/null || true

PIDS=()
cleanup() { for p in "${PIDS[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

run_gripway() {
  local cmd; cmd="$(gripway_cmd "$GW_PORT" "$GW_PUB" "$GW_MGMT" "$GW_ORIGIN")"
  echo "bench/run.sh: gripway: $cmd"
  # the harness needs a running proxy (PROXY_PID); it then restarts it fresh from PROXY_START_CMD per scenario
  bash -c "exec $cmd" >"$OUT/gripway-initial.log" 2>&1 &
  local pid=$!; PIDS+=("$pid")
  local t0=$SECONDS
  until curl -fs -o /dev/null -X POST -d '{"items":[]}' "http://127.0.0.1:$GW_PUB/publish/"; do
    kill -0 "$pid" 2>/dev/null || { echo "bench/run.sh: gripway exited; see $OUT/gripway-initial.log" >&2; return 1; }
    [ $((SECONDS - t0)) -lt 60 ] || { echo "bench/run.sh: gripway not ready in 60 s" >&2; kill "$pid"; return 1; }
    sleep 0.3
  done
  PROXY_URL="http://127.0.0.1:$GW_PORT" PUBLISH_URL="http://127.0.0.1:$GW_PUB" ORIGIN_PORT="$GW_ORIGIN" \
    PROXY_PID="$pid" PROXY_START_CMD="$cmd" PROXY_START_LOG="$OUT/gripway-proxy.log" \
    BENCH_NAME=gripway RESULTS_DIR="$OUT" SCENARIOS="$HARNESS_SCENARIOS" \
    "$SHARED_BENCH/run.sh" || echo "bench/run.sh: gripway harness run exited with $?" >&2
  kill "$pid" 2>/dev/null || true
}

run_pushpin() {
  command -v pushpin >/dev/null || { echo "bench/run.sh: pushpin not installed; skipping it" >&2; return 0; }
  BENCH_NAME=pushpin RESULTS_DIR="$OUT" SCENARIOS="$HARNESS_SCENARIOS" \
    "$SHARED_BENCH/pushpin.sh" || echo "bench/run.sh: pushpin harness run exited with $?" >&2
}

# the machine's floor for scenario B (bench/floor.js, no proxy), measured in this invocation right after the proxy's
# run, so "B p99 / floor" compares numbers taken under the same conditions
FLOOR_ROUNDS="${FLOOR_ROUNDS:-3}"
run_floor() { # $1 the proxy whose B it sits next to
  echo ",$HARNESS_SCENARIOS," | grep -q ',B,' && [ "$FLOOR_ROUNDS" -gt 0 ] || return 0
  local files=() n
  for n in $(echo "$B_SIZES" | tr ',' ' '); do
    local f="$OUT/floor-$1-$n.json"
    FLOOR_JSON="$f" timeout 90 node "$HERE/floor.js" "$n" "$FLOOR_ROUNDS" | tee -a "$OUT/floor-$1.txt" \
      || echo "bench/run.sh: floor.js $n exited with $?" >&2
    [ -f "$f" ] && files+=("$f")
  done
  local result; result="$(ls "$OUT"/"$1"-*.json 2>/dev/null | head -1 || true)"
  [ -n "$result" ] && [ "${#files[@]}" -gt 0 ] && node "$HERE/floor-ratio.js" "$result" "${files[@]}" | tee -a "$OUT/floor-$1.txt"
  return 0
}

if [ -n "$HARNESS_SCENARIOS" ]; then
  for p in $(echo "$PROXIES" | tr ',' ' '); do
    case "$p" in
      gripway) run_gripway; run_floor gripway ;;
      pushpin) run_pushpin; run_floor pushpin ;;
      *) echo "bench/run.sh: unknown proxy $p" >&2 ;;
    esac
  done
fi

if echo ",$ALL_SCENARIOS," | grep -q ',E,'; then
  E_OUT="$OUT/cluster-e.json" E_LOG_DIR="$OUT" GRIPWAY_JAR="$JAR" node "$HERE/cluster.js" | tee "$OUT/cluster-e.txt" || true
fi

if echo ",$ALL_SCENARIOS," | grep -q ',P,'; then
  # Pushpin joins scenario P when it is among the proxies measured (and installed)
  P_WITH_PUSHPIN=0
  if echo ",$PROXIES," | grep -q ',pushpin,' && command -v pushpin >/dev/null; then P_WITH_PUSHPIN=1; fi
  P_OUT_DIR="$OUT" GRIPWAY_JAR="$JAR" WITH_PUSHPIN="$P_WITH_PUSHPIN" SHARED_BENCH="$SHARED_BENCH" \
    "$HERE/passthrough.sh" >"$OUT/passthrough.log" 2>&1 || echo "bench/run.sh: scenario P exited with $?; see $OUT/passthrough.log" >&2
fi

# S: steady state at the socket limit (opt-in: 10 minutes of publishing at its defaults), its own Gripway and origin
if echo ",$ALL_SCENARIOS," | grep -q ',S,'; then
  OUT="$OUT" GRIPWAY_JAR="$JAR" N="${S_STREAMS:-19500}" CHANNELS="${S_CHANNELS:-1}" DURATION_S="${S_DURATION_S:-600}" \
    BASE_PORT="${S_BASE_PORT:-32300}" SHARED_BENCH="$SHARED_BENCH" node "$HERE/steady.mjs" || echo "bench/run.sh: scenario S exited with $?" >&2
fi

# --- side-by-side table ----------------------------------------------------------------------------------------------
PP="$(ls "$OUT"/pushpin-*.json 2>/dev/null | head -1 || true)"
GW="$(ls "$OUT"/gripway-*.json 2>/dev/null | head -1 || true)"
if [ -n "$PP" ] && [ -n "$GW" ]; then
  node "$SHARED_BENCH/lib/report.js" "$PP" "$GW" | tee "$OUT/compare.txt"
  echo "bench/run.sh: ratio column = Gripway / Pushpin; table in $OUT/compare.txt"
  # rates swing with how the 2 cores are split between proxy and harness; CPU per unit of work does not
  node "$HERE/efficiency.js" "$PP" "$GW" | tee "$OUT/efficiency.txt" || true
elif [ -n "$GW" ]; then
  node "$SHARED_BENCH/lib/report.js" "$GW" | tee "$OUT/compare.txt"
fi
if [ -f "$OUT/passthrough.txt" ]; then
  echo
  cat "$OUT/passthrough.txt"
fi
echo "bench/run.sh: results in $OUT"
