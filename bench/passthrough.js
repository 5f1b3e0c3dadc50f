'use strict';
// Scenario P: passthrough with an anchor. In one invocation, on loopback:
//   - the shared harness's origin (../shared/bench/lib/origin.js; GET /plain answers a plain 200, no GRIP headers),
//   - Gripway as deployed (in-memory bus), and any Gripway variants (P_GRIPWAY_VARIANTS, for a cost breakdown),
//   - a plain Spring Cloud Gateway (bench/plain-scg: same Boot / SCG versions, one route), the same JVM options,
//   - optionally Pushpin (../shared/pushpin-local.sh) when WITH_PUSHPIN=1,
// then wrk GET /plain through each of them and directly, interleaved (rep 1: gripway, scg, [pushpin], direct; rep 2:
// ...), so that slow drifts of the machine hit every target alike. Per run: req/s, latency p50/p99/max, errors and
// non-2xx, and the proxy's CPU per request (utime+stime of its process tree from /proc, over the requests wrk made).
// Writes passthrough.json and passthrough.txt to P_OUT_DIR. Started by bench/passthrough.sh, which passes:
//   P_OUT_DIR, P_SHARED_BENCH, P_JAVA_OPTS, P_GRIPWAY_JAR, P_SCG_JAR, P_BASE_PORT, and optional
//   P_DURATION_S (10), P_WARMUP_S (10), P_CONNS (50), P_THREADS (1), P_REPEATS (3), P_PATH (/plain),
//   WITH_PUSHPIN (0), P_PUSHPIN_HTTP_PORT (17999), GRIPWAY_ARGS, SCG_ARGS,
//   P_GRIPWAY_VARIANTS ("label:--a=b --c=d;label2:--e=f": more Gripway JVMs, each with these settings changed).
// Node 20, no packages. Linux only (/proc).
const { spawn, fork } = require('child_process');
const fs = require('fs');
const http = require('http');
const os = require('os');
const path = require('path');

const env = process.env;
const int = (v, d) => (v === undefined || v === '' ? d : parseInt(v, 10));
const CFG = {
  outDir: env.P_OUT_DIR,
  shared: env.P_SHARED_BENCH,
  javaOpts: (env.P_JAVA_OPTS || '').split(/\s+/).filter(Boolean),
  gripwayJar: env.P_GRIPWAY_JAR,
  scgJar: env.P_SCG_JAR,
  relayLib: env.P_RELAY_LIB || '',
  basePort: int(env.P_BASE_PORT, 29100),
  durationS: int(env.P_DURATION_S, 10),
  warmupS: int(env.P_WARMUP_S, 10),
  conns: int(env.P_CONNS, 50),
  threads: int(env.P_THREADS, 1),
  repeats: int(env.P_REPEATS, 3),
  path: env.P_PATH || '/plain',
  withPushpin: env.WITH_PUSHPIN === '1',
  pushpinHttpPort: int(env.P_PUSHPIN_HTTP_PORT, 17999),
  gripwayArgs: (env.GRIPWAY_ARGS || '').split(/\s+/).filter(Boolean),
  scgArgs: (env.SCG_ARGS || '').split(/\s+/).filter(Boolean),
  variants: parseVariants(env.P_GRIPWAY_VARIANTS || ''),
};
for (const k of ['outDir', 'shared', 'gripwayJar', 'scgJar']) {
  if (!CFG[k]) { console.error(`passthrough.js: ${k} not set (run it through bench/passthrough.sh)`); process.exit(2); }
}
const CLK_TCK = 100; // getconf CLK_TCK on Linux/x86_64
const STARTUP_LIMIT_MS = 90000;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const log = (m) => console.error(`[passthrough ${new Date().toISOString().slice(11, 19)}] ${m}`);
const round = (x, d = 1) => (x === null || x === undefined || !Number.isFinite(x) ? null : Math.round(x * 10 ** d) / 10 ** d);

function parseVariants(s) {
  return s.split(';').map((x) => x.trim()).filter(Boolean).map((x) => {
    const i = x.indexOf(':');
    if (i <= 0) throw new Error(`P_GRIPWAY_VARIANTS: "${x}" is not label:args`);
    return { label: x.slice(0, i).trim(), args: x.slice(i + 1).trim().split(/\s+/).filter(Boolean) };
  });
}

// --- /proc ---------------------------------------------------------------------------------------------------------
function statFields(pid) {
  const s = fs.readFileSync(`/proc/${pid}/stat`, 'latin1');
  return s.slice(s.lastIndexOf(')') + 2).split(' '); // [0] = state (field 3 of proc(5))
}
function treePids(root) {
  const kids = new Map();
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try { const ppid = +statFields(name)[1]; if (!kids.has(ppid)) kids.set(ppid, []); kids.get(ppid).push(+name); } catch (_) { /* exited */ }
  }
  const out = []; const stack = [root];
  while (stack.length && out.length < 1000) { const p = stack.pop(); out.push(p); for (const k of kids.get(p) || []) stack.push(k); }
  return out;
}
// CPU seconds (user+system) of a process tree; children that exited and were reaped count through cutime/cstime
function treeCpuS(root) {
  let ticks = 0;
  for (const p of treePids(root)) {
    try { const f = statFields(p); ticks += (+f[11]) + (+f[12]); } catch (_) { /* exited */ }
  }
  return ticks / CLK_TCK;
}
function rssKb(pid) {
  try { const m = /VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'latin1')); return m ? +m[1] : null; } catch (_) { return null; }
}

// --- processes we start (stopped by PID at exit) ----------------------------------------------------------------------
const started = [];
function stopAll() {
  for (const c of started) { if (c.exitCode === null && c.signalCode === null) { try { process.kill(c.pid, 'SIGTERM'); } catch (_) {} } }
}
process.on('exit', stopAll);
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => { stopAll(); process.exit(130); });

function startOrigin(port) {
  return new Promise((resolve, reject) => {
    const o = fork(path.join(CFG.shared, 'lib', 'origin.js'), [], {
      env: { ...env, ORIGIN_PORT: String(port) }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv: [],
    });
    started.push(o);
    const to = setTimeout(() => reject(new Error('origin did not start in 10 s')), 10000);
    o.on('message', (m) => {
      if (m.type === 'ready') { clearTimeout(to); resolve(o); } else if (m.type === 'error') { clearTimeout(to); reject(new Error(`origin: ${m.message}`)); }
    });
  });
}

function startProcess(name, cmd, args, extraEnv = {}) {
  const logPath = path.join(CFG.outDir, `passthrough-${name}.log`);
  const fd = fs.openSync(logPath, 'w');
  fs.writeSync(fd, `${cmd} ${args.join(' ')}\n`);
  const c = spawn(cmd, args, { stdio: ['ignore', fd, fd], env: { ...env, ...extraEnv } });
  fs.closeSync(fd);
  started.push(c);
  return { child: c, logPath, command: `${cmd} ${args.join(' ')}` };
}

function get(url) {
  return new Promise((resolve) => {
    const req = http.get(url, { timeout: 2000 }, (res) => { res.resume(); res.on('end', () => resolve(res.statusCode)); });
    req.on('error', () => resolve(0));
    req.on('timeout', () => { req.destroy(); resolve(0); });
  });
}
async function waitReady(name, url, child) {
  const t0 = Date.now();
  while (Date.now() - t0 < STARTUP_LIMIT_MS) {
    if (child && child.exitCode !== null) throw new Error(`${name} exited (${child.exitCode}) before it answered`);
    if ((await get(url)) === 200) return Date.now() - t0;
    await sleep(300);
  }
  throw new Error(`${name} did not answer 200 at ${url} within ${STARTUP_LIMIT_MS / 1000} s`);
}

// Spring Boot arguments as an ordered map, so a variant replaces a setting instead of repeating it (a repeated
// command-line property reaches Spring as "a,b")
function bootArgs(base, overrides) {
  const m = new Map();
  for (const a of [...base, ...overrides]) { const i = a.indexOf('='); m.set(i < 0 ? a : a.slice(0, i), a); }
  return [...m.values()];
}

// --- wrk -----------------------------------------------------------------------------------------------------------
function runWrk(url, durationS) {
  const lua = path.join(CFG.shared, 'lib', 'wrk-report.lua');
  const args = [`-t${CFG.threads}`, `-c${CFG.conns}`, `-d${durationS}s`, '--timeout', '5s', '-s', lua, url];
  return new Promise((resolve) => {
    const p = spawn('wrk', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    p.stdout.on('data', (d) => { out += d; });
    p.stderr.on('data', (d) => { out += d; });
    const to = setTimeout(() => { try { process.kill(p.pid, 'SIGKILL'); } catch (_) {} }, (durationS + 30) * 1000);
    let cpuS = null;
    const sampleCpu = () => { try { const f = statFields(p.pid); cpuS = ((+f[11]) + (+f[12])) / CLK_TCK; } catch (_) {} };
    const cpuTimer = setInterval(sampleCpu, 250); // wrk's own CPU, read while it runs (it is gone once closed)
    p.on('close', () => {
      clearTimeout(to); clearInterval(cpuTimer);
      const m = /WRKJSON (\{.*\})/.exec(out);
      if (!m) { resolve({ error: 'wrk output not parsed', raw: out.slice(-1000) }); return; }
      const j = JSON.parse(m[1]);
      const nonOk = /Non-2xx or 3xx responses: (\d+)/.exec(out);
      const e = j.errors;
      resolve({
        requests: j.requests,
        duration_s: j.duration_us / 1e6,
        req_per_s: round(j.requests / (j.duration_us / 1e6), 1),
        errors: e.connect + e.read + e.write + e.status + e.timeout,
        non_2xx: nonOk ? +nonOk[1] : 0,
        latency_ms: { p50: round(j.latency_us.p50 / 1000, 3), p99: round(j.latency_us.p99 / 1000, 3), max: round(j.latency_us.max / 1000, 3) },
        wrk_cpu_s_approx: cpuS,
      });
    });
  });
}

// --- statistics ----------------------------------------------------------------------------------------------------
function agg(xs) {
  const v = xs.filter((x) => x !== null && x !== undefined && Number.isFinite(x)).sort((a, b) => a - b);
  if (!v.length) return null;
  const n = v.length;
  const median = n % 2 ? v[(n - 1) / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
  return { median, min: v[0], max: v[n - 1], n };
}
function fmt(a, d = 0) {
  if (!a) return '-';
  const f = (x) => x.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d });
  return a.n <= 1 || a.min === a.max ? f(a.median) : `${f(a.median)} [${f(a.min)}–${f(a.max)}]`;
}
function table(headers, rows) {
  const w = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (r) => r.map((c, i) => String(c).padEnd(w[i])).join('  ').trimEnd();
  return [line(headers), w.map((x) => '-'.repeat(x)).join('  '), ...rows.map(line)].join('\n');
}

// --- main ----------------------------------------------------------------------------------------------------------
async function main() {
  fs.mkdirSync(CFG.outDir, { recursive: true });
  const base = CFG.basePort;
  const originPort = base;
  const origin = await startOrigin(originPort);
  const originUrl = `http://127.0.0.1:${originPort}`;
  log(`origin on ${originPort} (pid ${origin.pid})`);

  // every proxy: [name, start()] -> { url, pid, command }; started one after another, so start-up CPU does not overlap
  const proxies = [];
  const gripways = [{ label: 'gripway', args: [] }, ...CFG.variants.map((v) => ({ label: `gripway-${v.label}`, args: v.args }))];
  gripways.forEach((g, i) => {
    const port = base + 10 + 10 * i;
    // a variant's -X... / -D... arguments go to the JVM, after the shared options (the last of a flag wins)
    const jvmArgs = g.args.filter((a) => /^-[XD]/.test(a));
    const bootOnly = g.args.filter((a) => !/^-[XD]/.test(a));
    const args = [...CFG.javaOpts, ...jvmArgs, '-jar', CFG.gripwayJar, ...bootArgs([
      `--server.port=${port}`, `--gripway.publish.port=${port + 1}`, `--management.server.port=${port + 2}`,
      `--gripway.origin=${originUrl}`, '--logging.level.root=WARN', ...CFG.gripwayArgs], bootOnly)];
    proxies.push({ name: g.label, kind: 'gripway', port, start: () => startProcess(g.label, 'java', args) });
  });
  const scgPort = base + 5;
  // Gripway runs one event loop per available processor (io.gripway.server.EventLoops); the anchors get the same
  // count, so the comparison is of the work per request, not of Reactor Netty's default of at least four loops
  const loops = `-Dreactor.netty.ioWorkerCount=${os.availableParallelism ? os.availableParallelism() : os.cpus().length}`;
  proxies.push({ name: 'scg', kind: 'scg', port: scgPort, start: () => startProcess('scg', 'java', [...CFG.javaOpts, loops, '-jar', CFG.scgJar,
    ...bootArgs([`--server.port=${scgPort}`, `--origin.port=${originPort}`, '--logging.level.root=WARN', ...CFG.scgArgs], [])]) });
  if (CFG.relayLib) {
    // the ceiling for a fast path: a bare Reactor Netty relay on Gripway's own libraries, the same JVM options
    const relayPort = base + 6;
    proxies.push({ name: 'relay', kind: 'relay', port: relayPort, start: () => startProcess('relay', 'java', [...CFG.javaOpts, loops,
      '-cp', path.join(CFG.relayLib, '*'), path.join(__dirname, 'relay', 'RawRelay.java'), String(relayPort), String(originPort)]) });
  }
  if (CFG.withPushpin) {
    const script = path.join(CFG.shared, '..', 'pushpin-local.sh');
    proxies.push({ name: 'pushpin', kind: 'pushpin', port: CFG.pushpinHttpPort,
      start: () => startProcess('pushpin', 'bash', [script, String(originPort)], { HTTP_PORT: String(CFG.pushpinHttpPort) }) });
  }

  const targets = [];
  for (const p of proxies) {
    log(`starting ${p.name}`);
    const s = p.start();
    const url = `http://127.0.0.1:${p.port}${CFG.path}`;
    const readyMs = await waitReady(p.name, url, s.child);
    log(`${p.name} ready in ${(readyMs / 1000).toFixed(1)} s (pid ${s.child.pid}, ${s.command})`);
    targets.push({ name: p.name, kind: p.kind, url, pid: s.child.pid, command: s.command, log: s.logPath, ready_ms: readyMs });
  }
  targets.push({ name: 'direct', kind: 'direct', url: `${originUrl}${CFG.path}`, pid: null });

  for (const t of targets) { log(`warm-up ${t.name} ${CFG.warmupS} s`); await runWrk(t.url, CFG.warmupS); }

  const runs = [];
  for (let rep = 1; rep <= CFG.repeats; rep++) {
    for (const t of targets) {
      await sleep(1000);
      const p0 = t.pid ? treeCpuS(t.pid) : null; const o0 = treeCpuS(origin.pid);
      const startedAt = new Date().toISOString();
      const w = await runWrk(t.url, CFG.durationS);
      const endedAt = new Date().toISOString();
      const p1 = t.pid ? treeCpuS(t.pid) : null; const o1 = treeCpuS(origin.pid);
      const r = { target: t.name, rep, started_at: startedAt, ended_at: endedAt, ...w };
      if (w.requests) {
        r.proxy_cpu_s = t.pid ? round(p1 - p0, 2) : null;
        r.proxy_cpu_us_per_req = t.pid ? round((p1 - p0) * 1e6 / w.requests, 1) : null;
        r.proxy_cpu_pct = t.pid ? round((p1 - p0) / w.duration_s * 100, 1) : null;
        r.origin_cpu_us_per_req = round((o1 - o0) * 1e6 / w.requests, 1);
        r.wrk_cpu_us_per_req = w.wrk_cpu_s_approx !== null ? round(w.wrk_cpu_s_approx * 1e6 / w.requests, 1) : null;
        r.proxy_rss_kb = t.pid ? rssKb(t.pid) : null;
      }
      runs.push(r);
      log(`${t.name} #${rep}: ${r.req_per_s} req/s, p50 ${r.latency_ms?.p50} ms, p99 ${r.latency_ms?.p99} ms, max ${r.latency_ms?.max} ms, ` +
        `errors ${r.errors} non-2xx ${r.non_2xx}, proxy ${r.proxy_cpu_us_per_req ?? '-'} µs CPU/req (${r.proxy_cpu_pct ?? '-'} %), origin ${r.origin_cpu_us_per_req} µs/req`);
    }
  }
  await stopAndWait();

  // --- summary: medians [min–max] per target; ratios of medians, with the min–max of the per-rep ratios
  const by = (name) => runs.filter((r) => r.target === name);
  const summary = {};
  for (const t of targets) {
    const rs = by(t.name);
    summary[t.name] = {
      req_per_s: agg(rs.map((r) => r.req_per_s)),
      p50_ms: agg(rs.map((r) => r.latency_ms?.p50)), p99_ms: agg(rs.map((r) => r.latency_ms?.p99)), max_ms: agg(rs.map((r) => r.latency_ms?.max)),
      errors: agg(rs.map((r) => r.errors)), non_2xx: agg(rs.map((r) => r.non_2xx)),
      proxy_cpu_us_per_req: agg(rs.map((r) => r.proxy_cpu_us_per_req)), proxy_cpu_pct: agg(rs.map((r) => r.proxy_cpu_pct)),
      origin_cpu_us_per_req: agg(rs.map((r) => r.origin_cpu_us_per_req)),
    };
  }
  const ratio = (a, b, field) => {
    const sa = summary[a]?.[field], sb = summary[b]?.[field];
    if (!sa || !sb) return null;
    const perRep = [];
    for (let rep = 1; rep <= CFG.repeats; rep++) {
      const ra = by(a).find((r) => r.rep === rep), rb = by(b).find((r) => r.rep === rep);
      const va = field === 'req_per_s' ? ra?.req_per_s : field === 'p99_ms' ? ra?.latency_ms?.p99 : ra?.[field];
      const vb = field === 'req_per_s' ? rb?.req_per_s : field === 'p99_ms' ? rb?.latency_ms?.p99 : rb?.[field];
      if (va && vb) perRep.push(va / vb);
    }
    const pr = agg(perRep);
    return { of_medians: round(sa.median / sb.median, 3), per_rep_min: pr ? round(pr.min, 3) : null, per_rep_max: pr ? round(pr.max, 3) : null };
  };
  const pairs = [];
  for (const g of gripways) {
    pairs.push([g.label, 'scg']);
    if (CFG.withPushpin) pairs.push([g.label, 'pushpin']);
    pairs.push([g.label, 'direct']);
  }
  pairs.push(['scg', 'direct']);
  if (CFG.relayLib) { pairs.push(['scg', 'relay']); pairs.push(['relay', 'direct']); }
  if (CFG.withPushpin) pairs.push(['pushpin', 'direct']);
  const ratios = {};
  for (const [a, b] of pairs) {
    ratios[`${a}/${b}`] = { req_per_s: ratio(a, b, 'req_per_s'), p99_ms: ratio(a, b, 'p99_ms'),
      proxy_cpu_us_per_req: b === 'direct' ? null : ratio(a, b, 'proxy_cpu_us_per_req') };
  }

  const loadavg = fs.readFileSync('/proc/loadavg', 'latin1').trim();
  const result = {
    scenario: 'P passthrough anchor',
    date: new Date().toISOString(),
    params: { duration_s: CFG.durationS, warmup_s: CFG.warmupS, connections: CFG.conns, threads: CFG.threads, repeats: CFG.repeats,
      path: CFG.path, java_opts: CFG.javaOpts.join(' '), gripway_args: CFG.gripwayArgs.join(' '), scg_args: CFG.scgArgs.join(' '),
      variants: CFG.variants, with_pushpin: CFG.withPushpin },
    host: { loadavg_at_end: loadavg },
    targets: targets.map(({ name, url, pid, command, ready_ms }) => ({ name, url, pid, command, ready_ms })),
    runs, summary, ratios,
  };
  fs.writeFileSync(path.join(CFG.outDir, 'passthrough.json'), JSON.stringify(result, null, 2));

  const L = [];
  L.push(`Scenario P, passthrough: wrk -t${CFG.threads} -c${CFG.conns} -d${CFG.durationS}s GET ${CFG.path}, ${CFG.repeats} reps interleaved ` +
    `(${targets.map((t) => t.name).join(', ')}), ${CFG.warmupS} s warm-up each   ${result.date}`);
  L.push(`JVM options (Gripway and plain SCG alike): ${CFG.javaOpts.join(' ')}`);
  if (CFG.gripwayArgs.length) L.push(`GRIPWAY_ARGS: ${CFG.gripwayArgs.join(' ')}`);
  if (CFG.scgArgs.length) L.push(`SCG_ARGS: ${CFG.scgArgs.join(' ')}`);
  for (const v of CFG.variants) L.push(`variant gripway-${v.label}: ${v.args.join(' ')}`);
  L.push(`medians of ${CFG.repeats} [min–max]; proxy CPU = utime+stime of the proxy's process tree (/proc) over wrk's requests`);
  L.push('');
  L.push(table(['target', 'req/s', 'p50 ms', 'p99 ms', 'max ms', 'proxy CPU µs/req', 'proxy CPU %', 'errors', 'non-2xx'],
    targets.map((t) => { const s = summary[t.name]; return [t.name, fmt(s.req_per_s), fmt(s.p50_ms, 2), fmt(s.p99_ms, 2), fmt(s.max_ms, 1),
      fmt(s.proxy_cpu_us_per_req), fmt(s.proxy_cpu_pct), fmt(s.errors), fmt(s.non_2xx)]; })));
  L.push('');
  const fr = (r) => (r ? `${r.of_medians.toFixed(2)} [${r.per_rep_min.toFixed(2)}–${r.per_rep_max.toFixed(2)}]` : '-');
  L.push(table(['ratio (of medians [per-rep min–max])', 'req/s', 'p99', 'proxy CPU/req'],
    Object.entries(ratios).map(([k, r]) => [k, fr(r.req_per_s), fr(r.p99_ms), fr(r.proxy_cpu_us_per_req)])));
  L.push('');
  L.push(`load average at the end: ${loadavg} (other work on the machine makes req/s noisy; CPU per request is steadier)`);
  const text = L.join('\n') + '\n';
  fs.writeFileSync(path.join(CFG.outDir, 'passthrough.txt'), text);
  process.stdout.write(text);
}

// stop what we started and wait (bounded) until it is gone, so whatever runs next has the machine to itself
async function stopAndWait() {
  stopAll();
  const t0 = Date.now();
  while (started.some((c) => c.exitCode === null && c.signalCode === null) && Date.now() - t0 < 30000) await sleep(200);
  for (const c of started) { if (c.exitCode === null && c.signalCode === null) { try { process.kill(c.pid, 'SIGKILL'); } catch (_) {} } }
}

main().then(async () => { await stopAndWait(); process.exit(0); }, (e) => { log(`failed: ${e.stack || e}`); stopAll(); process.exit(1); });
