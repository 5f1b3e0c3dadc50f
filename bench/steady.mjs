// Steady state at the socket limit (issue 15, item 5): Gripway as deployed holds N SSE streams (19,500 by default,
// just under this machine's 20,000 open files per process) while one item a second is published, for DURATION_S.
// It checks that every stream gets every item once and in order, and reports GC pauses (from the JVM's unified GC
// log), heap after GC, live heap measured by forced full GCs with a class histogram (jcmd GC.class_histogram; the
// least of HISTOGRAM_GCS in a row, below) at the start and at the end of the slope window, with the classes that grew,
// RSS, direct memory, open files and threads, each with its slope, plus publish→receipt latency per minute.
// "Nothing grows" is computed: a slope counts as growth when it would use up the remaining headroom (pod memory for
// RSS, the heap ceiling for the heap, MaxDirectMemorySize for direct memory) within GROWTH_HORIZON_H hours.
//
//   node bench/steady.mjs                                   # 19,500 streams, 600 s (~13 min with set-up)
//   N=2000 DURATION_S=60 node bench/steady.mjs              # a short check
//   SCENARIOS=S PROXIES=gripway bench/run.sh                # the same, from the benchmark driver
//
// Runs on 127.0.0.1 only; ports BASE_PORT..BASE_PORT+3 (proxy, publish, management, origin). Every loop is bounded
// (N connections, DURATION_S publishes, a deadline for the whole run); it stops only the processes it started.
import { spawn, fork, execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import net from 'node:net';
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';

const env = process.env;
const HERE = path.dirname(new URL(import.meta.url).pathname);
const REPO = path.resolve(HERE, '..');
const SHARED_BENCH = path.resolve(env.SHARED_BENCH ?? path.join(REPO, '..', 'shared', 'bench'));
const require = createRequire(import.meta.url);
const procstat = require(path.join(SHARED_BENCH, 'lib', 'procstat.js'));

const N = Number(env.N ?? 19500);
// one channel by default: the issue's "a publish every second" to every held stream, i.e. a 19.5k fan-out each
// second (the burstiest shape, the one scenario B measures once). CHANNELS=100 spreads the same streams evenly
// over 100 channels, each publish then carrying one item per channel.
const CHANNELS = Number(env.CHANNELS ?? 1);
const DURATION_S = Number(env.DURATION_S ?? 600);
const SAMPLE_S = Number(env.SAMPLE_S ?? 5);
// the slope window: the last 8 minutes of a 10-minute run (the first 2 are warm-up: C1 compiling, the heap sizing)
const SLOPE_WINDOW_S = Number(env.SLOPE_WINDOW_S ?? Math.min(480, Math.round(DURATION_S * 0.8)));
const FULL_GC_PROBES = (env.FULL_GC_PROBES ?? '1') !== '0';
// Serial's full collection leaves dead objects in place, as int[] filler, where moving the live ones past them is not
// worth it (up to -XX:MarkSweepDeadRatio, 5 % of the generation), and compacts fully only every
// -XX:MarkSweepAlwaysCompactCount-th (4th) time; a class histogram counts that filler as live int[] (bench/README.md,
// "What grew in S's live heap"). So each probe takes HISTOGRAM_GCS histograms in a row, one of them after a full
// compaction, and keeps the one whose collection left the least heap.
const HISTOGRAM_GCS = Math.max(1, Number(env.HISTOGRAM_GCS ?? 4));
const GROWTH_HORIZON_H = Number(env.GROWTH_HORIZON_H ?? 24);
const CONNECT_WINDOW = Number(env.CONNECT_WINDOW ?? 64);
const BASE_PORT = Number(env.BASE_PORT ?? 32300);
const PORTS = { proxy: BASE_PORT, publish: BASE_PORT + 1, mgmt: BASE_PORT + 2, origin: BASE_PORT + 3 };
const POD_MEMORY = env.POD_MEMORY ?? '768m';
const DEADLINE_S = Number(env.DEADLINE_S ?? DURATION_S + 600);
const STAMP = new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
const OUT = path.resolve(env.OUT ?? path.join(HERE, 'results', STAMP));
const JAR = env.GRIPWAY_JAR ?? env.JAR ?? fs.readdirSync(path.join(REPO, 'target'), { withFileTypes: true })
  .map((f) => f.name).filter((f) => /^gripway-.*\.jar$/.test(f)).map((f) => path.join(REPO, 'target', f))[0];
const JAVA_OPTS = (env.GRIPWAY_JAVA_OPTS
  ?? `${fs.readFileSync(path.join(REPO, 'deploy', 'jvm.options'), 'utf8').trim()} -XX:MaxRAM=${POD_MEMORY}`)
  .trim().split(/\s+/);
const GC_LOG = path.join(OUT, 'steady-gc.log');
const MIB = 1024 * 1024;

fs.mkdirSync(OUT, { recursive: true });
const hr = () => performance.now();
const started = hr();
const log = (...args) => console.log(`[${((hr() - started) / 1000).toFixed(1)}s]`, ...args);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const round = (x, d = 2) => (x === null || x === undefined || Number.isNaN(x) ? null : Math.round(x * 10 ** d) / 10 ** d);

// --- processes ---------------------------------------------------------------------------------------------------
const children = [];
function stopChildren() { for (const child of children) { if (child.exitCode === null) { try { child.kill('SIGKILL'); } catch { /* gone */ } } } }
process.on('exit', stopChildren);
process.on('SIGINT', () => process.exit(130));
process.on('SIGTERM', () => process.exit(143));
setTimeout(() => { log(`deadline of ${DEADLINE_S} s passed: stopping`); process.exit(3); }, DEADLINE_S * 1000).unref();

function startOrigin() {
  const origin = fork(path.join(SHARED_BENCH, 'lib', 'origin.js'), [], {
    env: { ...env, ORIGIN_PORT: String(PORTS.origin) }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  children.push(origin);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('origin did not start in 10 s')), 10000);
    origin.on('message', (m) => {
      if (m.type === 'ready') { clearTimeout(timer); resolve(origin); }
      else if (m.type === 'error') { clearTimeout(timer); reject(new Error(`origin: ${m.message}`)); }
      // 'seen' notifications (one per connection key) are the harness's; not needed here
    });
  });
}

const httpGet = (port, p, timeoutMs = 5000) => new Promise((resolve) => {
  const req = http.get({ host: '127.0.0.1', port, path: p, agent: false, timeout: timeoutMs }, (res) => {
    let body = '';
    res.setEncoding('utf8');
    res.on('data', (d) => { body += d; });
    res.on('end', () => resolve({ status: res.statusCode, body }));
  });
  req.on('timeout', () => req.destroy());
  req.on('error', () => resolve({ status: 0, body: '' }));
});

async function startGripway() {
  const args = [...JAVA_OPTS, `-Xlog:gc*:file=${GC_LOG}:uptime,level,tags`, '-jar', JAR,
    `--gripway.origin=http://127.0.0.1:${PORTS.origin}`, `--server.port=${PORTS.proxy}`,
    `--gripway.publish.port=${PORTS.publish}`, `--management.server.port=${PORTS.mgmt}`, '--logging.level.root=WARN',
    ...(env.GRIPWAY_ARGS ? env.GRIPWAY_ARGS.trim().split(/\s+/) : [])];
  fs.writeFileSync(path.join(OUT, 'steady-gripway.cmd'), `java ${args.join(' ')}\n`);
  const logFile = fs.openSync(path.join(OUT, 'steady-gripway.log'), 'w');
  const spawnedAt = hr();
  const java = spawn('java', args, { stdio: ['ignore', logFile, logFile] });
  children.push(java);
  const until = Date.now() + 90000;
  while (Date.now() < until) {
    if (java.exitCode !== null) { throw new Error(`gripway exited with ${java.exitCode}; see ${OUT}/steady-gripway.log`); }
    if ((await httpGet(PORTS.mgmt, '/actuator/health/readiness', 2000)).status === 200) { return { java, spawnedAt }; }
    await sleep(300);
  }
  throw new Error('gripway not ready in 90 s');
}

// --- SSE subscribers: raw sockets, so N of them fit in one process and one fd each ------------------------------------
// per stream: the next sequence number it expects; anything else is a gap (lost) or a repeat (duplicated/reordered)
const HEAD = 0, BODY = 1;
const subs = [];
const counts = { established: 0, connectFailures: 0, gaveUp: 0, closedEarly: 0, received: 0, lost: 0, duplicated: 0 };
let latencyMinute = null; // the histogram the current minute's receipts go to
const pubTimes = [0]; // seq -> hr() just before its publish was sent

// latency histogram: 0.1 ms buckets up to 10 s, one per minute of publishing
const BUCKETS = 100001;
function newHistogram() { return { buckets: new Uint32Array(BUCKETS), n: 0, max: 0 }; }
function record(h, ms) { h.buckets[Math.min(BUCKETS - 1, Math.max(0, Math.round(ms * 10)))]++; h.n++; if (ms > h.max) { h.max = ms; } }
function quantile(h, q) {
  if (!h.n) { return null; }
  const target = Math.ceil(q * h.n);
  let seen = 0;
  for (let i = 0; i < BUCKETS; i++) { seen += h.buckets[i]; if (seen >= target) { return i / 10; } }
  return h.max;
}

function onEvent(sub, block, now) {
  if (block.startsWith(':')) {
    if (!sub.established) { sub.established = true; counts.established++; sub.onEstablished(); }
    return;
  }
  const m = /^data: (\d+)$/m.exec(block);
  if (!m) { return; }
  const seq = Number(m[1]);
  counts.received++;
  if (seq === sub.next) { sub.next++; }
  else if (seq > sub.next) { counts.lost += seq - sub.next; sub.next = seq + 1; }
  else { counts.duplicated++; }
  if (latencyMinute && pubTimes[seq]) { record(latencyMinute, now - pubTimes[seq]); }
}

// an incremental reader of the response: status line and headers, then chunked (or plain) body, then SSE blocks
function onData(sub, text) {
  const now = hr();
  if (sub.state === HEAD) {
    sub.head += text;
    const end = sub.head.indexOf('\r\n\r\n');
    if (end < 0) { if (sub.head.length > 16384) { sub.fail('headers too long'); } return; }
    const head = sub.head.slice(0, end);
    text = sub.head.slice(end + 4);
    sub.head = '';
    if (!/^HTTP\/1\.1 200 /.test(head)) { sub.fail(head.split('\r\n', 1)[0]); return; }
    sub.chunked = /\r\ntransfer-encoding:\s*chunked/i.test(head);
    sub.state = BODY;
  }
  let body = '';
  if (!sub.chunked) { body = text; }
  else {
    let p = 0;
    while (p < text.length) {
      if (sub.need > 0) {
        const take = Math.min(sub.need, text.length - p);
        body += text.slice(p, p + take); p += take; sub.need -= take;
        if (sub.need === 0) { sub.skip = 2; }
      }
      else if (sub.skip > 0) { p++; sub.skip--; }
      else {
        const eol = text.indexOf('\n', p);
        if (eol < 0) { sub.line += text.slice(p); break; }
        const size = parseInt((sub.line + text.slice(p, eol)).trim(), 16);
        sub.line = ''; p = eol + 1;
        if (size > 0) { sub.need = size; }
        else if (size === 0) { sub.ended = true; } // the terminating chunk: the stream is over
      }
    }
  }
  sub.text += body;
  let end;
  while ((end = sub.text.indexOf('\n\n')) >= 0) {
    const block = sub.text.slice(0, end);
    sub.text = sub.text.slice(end + 2);
    onEvent(sub, block, now);
  }
}

function connect(index, onEstablished) {
  const sub = subs[index] ?? (subs[index] = { index, next: 1, attempts: 0 });
  Object.assign(sub, { state: HEAD, head: '', text: '', line: '', need: 0, skip: 0, chunked: false, ended: false,
    established: false, failed: false, onEstablished });
  sub.attempts++;
  const socket = net.connect({ host: '127.0.0.1', port: PORTS.proxy });
  sub.socket = socket;
  socket.setEncoding('latin1');
  socket.setNoDelay(true);
  const timer = setTimeout(() => fail('not established in 30 s'), 30000);
  // handlers of this attempt's socket call this attempt's fail, so a late close of an abandoned socket is ignored
  const fail = (why) => {
    if (sub.failed || sub.socket !== socket) { return; }
    sub.failed = true; clearTimeout(timer); socket.destroy();
    if (sub.established) { counts.closedEarly++; sub.closedBy = why; return; } // no reconnect: it would hide a loss
    counts.connectFailures++;
    if (counts.connectFailures <= 5) { log(`stream ${index}: ${why}`); }
    if (sub.attempts < 3) { setTimeout(() => connect(index, onEstablished), 200); }
    else { counts.gaveUp++; onEstablished(); }
  };
  sub.fail = fail;
  sub.onEstablished = () => { clearTimeout(timer); onEstablished(); };
  socket.on('connect', () => socket.write(`GET /sse/steady-${index % CHANNELS}?c=s${index}-${sub.attempts} HTTP/1.1\r\n`
    + `Host: 127.0.0.1:${PORTS.proxy}\r\nAccept: text/event-stream\r\n\r\n`));
  socket.on('data', (text) => { if (sub.socket === socket) { onData(sub, text); } });
  socket.on('error', (e) => fail(e.code ?? e.message));
  socket.on('close', () => fail('closed'));
}

// CONNECT_WINDOW streams being set up at a time (as the harness's scenario A); resolves when every stream is
// established or has given up after 3 attempts
function openAll() {
  return new Promise((resolve) => {
    let nextIndex = 0, settled = 0;
    const onSettled = () => {
      settled++;
      if (settled === N) { resolve(); }
      else if (nextIndex < N) { connect(nextIndex++, onSettled); }
    };
    for (let i = 0; i < Math.min(CONNECT_WINDOW, N); i++) { connect(nextIndex++, onSettled); }
  });
}

// --- publishing: one POST a second, with one item per channel --------------------------------------------------------
const publishAgent = new http.Agent({ keepAlive: true, maxSockets: 1 });
const publishes = { sent: 0, failed: 0, durations: [] };
function publish(seq) {
  const items = [];
  for (let ch = 0; ch < CHANNELS; ch++) {
    items.push({ channel: `steady-${ch}`, formats: { 'http-stream': { content: `data: ${seq}\n\n` } } });
  }
  const body = JSON.stringify({ items });
  return new Promise((resolve) => {
    const t = hr();
    pubTimes[seq] = t;
    const req = http.request({ host: '127.0.0.1', port: PORTS.publish, path: '/publish/', method: 'POST', agent: publishAgent,
      timeout: 30000, headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) } }, (res) => {
      res.resume();
      res.on('end', () => {
        if (res.statusCode >= 200 && res.statusCode < 300) { publishes.sent++; } else { publishes.failed++; }
        publishes.durations.push(hr() - t);
        resolve();
      });
    });
    req.on('timeout', () => req.destroy(new Error('publish timed out')));
    req.on('error', () => { publishes.failed++; resolve(); });
    req.end(body);
  });
}

// --- sampling: /proc, the management port's Prometheus page ----------------------------------------------------------
function parsePrometheus(text) {
  const values = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) { continue; }
    const m = /^([a-zA-Z_:][\w:]*)(\{[^}]*\})? (\S+)/.exec(line);
    if (m) { values.push({ name: m[1], labels: m[2] ?? '', value: Number(m[3]) }); }
  }
  const sum = (name, ...labels) => values.filter((v) => v.name === name && labels.every((l) => v.labels.includes(l)))
    .reduce((total, v) => total + v.value, 0);
  return {
    heapUsedMiB: sum('jvm_memory_used_bytes', 'area="heap"') / MIB,
    tenuredUsedMiB: sum('jvm_memory_used_bytes', 'id="Tenured Gen"') / MIB,
    heapCommittedMiB: sum('jvm_memory_committed_bytes', 'area="heap"') / MIB,
    heapMaxMiB: sum('jvm_memory_max_bytes', 'area="heap"') / MIB,
    nonHeapUsedMiB: sum('jvm_memory_used_bytes', 'area="nonheap"') / MIB,
    // Netty on JDK 17 without --add-opens allocates with ByteBuffer.allocateDirect, so its pooled arenas are here
    directMiB: sum('jvm_buffer_memory_used_bytes', 'id="direct"') / MIB,
    directBuffers: sum('jvm_buffer_count_buffers', 'id="direct"'),
    gcPauses: sum('jvm_gc_pause_seconds_count'),
    gcPauseSeconds: sum('jvm_gc_pause_seconds_sum'),
    threads: sum('jvm_threads_live_threads'),
    openFiles: sum('process_files_open_files'),
    heldStreams: sum('gripway_held_connections', 'mode="stream"'),
    delivered: sum('gripway_messages_delivered_total', 'format="http-stream"'),
    dropped: sum('gripway_messages_dropped_total'),
    holdsEnded: sum('gripway_holds_ended_total'),
    busPending: sum('gripway_bus_pending'),
  };
}

const samples = [];
let proxySampler, clientSampler, originSampler, lastMachine;
async function takeSample(phase) {
  const machine = procstat.machineSample();
  const proxy = proxySampler.sample();
  const client = clientSampler.sample();
  const origin = originSampler.sample();
  const scrape = await httpGet(PORTS.mgmt, '/actuator/prometheus', 4000);
  const sample = {
    t: round((hr() - started) / 1000, 1), phase, rssMiB: round(proxy.rssKb / 1024), rssAnonMiB: round(proxy.rssAnonKb / 1024),
    proxyCpuS: proxy.ticks / procstat.CLK_TCK, clientCpuS: client.ticks / procstat.CLK_TCK,
    originCpuS: origin.ticks / procstat.CLK_TCK, machineBusyPct: lastMachine ? round(procstat.machineBusyPct(lastMachine, machine), 1) : null,
    received: counts.received, lost: counts.lost, duplicated: counts.duplicated, closedEarly: counts.closedEarly,
    jvm: scrape.status === 200 ? Object.fromEntries(Object.entries(parsePrometheus(scrape.body)).map(([k, v]) => [k, round(v, 3)])) : null,
  };
  lastMachine = machine;
  samples.push(sample);
  return sample;
}

// --- the unified GC log ------------------------------------------------------------------------------------------------
// [12.345s][info][gc          ] GC(7) Pause Young (Allocation Failure) 60M->38M(83M) 4.321ms
// [12.345s][info][gc,heap     ] GC(7) Tenured: 30000K(60000K)->33000K(60000K)  (JDK 17: before(capacity)->after(capacity))
const SIZE = { K: 1 / 1024, M: 1, G: 1024 };
function parseGcLog(spawnedAt) {
  const pauses = new Map();
  const text = fs.existsSync(GC_LOG) ? fs.readFileSync(GC_LOG, 'latin1') : '';
  for (const line of text.split('\n')) {
    let m = /^\[([\d.]+)s\]\[info\s*\]\[gc\s*\] GC\((\d+)\) (Pause .+?) (\d+)([KMG])->(\d+)([KMG])\((\d+)([KMG])\) ([\d.]+)ms/.exec(line);
    if (m) {
      const [, uptime, id, what, before, bu, after, au, capacity, cu, ms] = m;
      const pause = pauses.get(id) ?? {};
      Object.assign(pause, { id: Number(id), t: (spawnedAt - started) / 1000 + Number(uptime), what,
        full: /Full/.test(what), forced: /System\.gc\(\)|Diagnostic Command|Heap Inspection/.test(what), ms: Number(ms),
        heapBeforeMiB: Number(before) * SIZE[bu], heapAfterMiB: Number(after) * SIZE[au], heapCapacityMiB: Number(capacity) * SIZE[cu] });
      pauses.set(id, pause);
      continue;
    }
    // a concurrent collector logs several short pauses per cycle, with no heap sizes, each counting: Shenandoah under
    // the gc tag, ZGC under gc,phases (generational ZGC, JDK 21+, prefixes each with its generation, "Y: " or "O: ")
    m = /^\[([\d.]+)s\]\[info\s*\]\[gc(?:,phases)?\s*\] GC\((\d+)\) ((?:[YO]: )?Pause [^\d]+?) ([\d.]+)ms$/.exec(line);
    if (m) {
      const [, uptime, id, what, ms] = m;
      const key = `${id}:${what}`;
      pauses.set(key, { id: Number(id), t: (spawnedAt - started) / 1000 + Number(uptime), what, full: /Full/.test(what),
        forced: false, ms: Number(ms) });
      continue;
    }
    // the pause's CPU time: wall time (Real) well above User+Sys means the GC thread waited for a core, i.e. the
    // machine was busy, not that the collection had that much to do (the log rounds these to 10 ms)
    m = /\[gc,cpu\s*\] GC\((\d+)\) User=([\d.]+)s Sys=([\d.]+)s Real=([\d.]+)s/.exec(line);
    if (m) { const pause = pauses.get(m[1]) ?? {}; pause.cpuMs = Math.round((Number(m[2]) + Number(m[3])) * 1000); pauses.set(m[1], pause); continue; }
    // the generations' sizes in KiB: finer than the summary line's whole MiB
    m = /\[gc,heap\s*\] GC\((\d+)\) (DefNew|Tenured): \d+K(?:\(\d+K\))?->(\d+)K/.exec(line);
    if (m) { const pause = pauses.get(m[1]) ?? {}; pause[m[2]] = Number(m[3]) / 1024; pauses.set(m[1], pause); }
  }
  const all = [...pauses.values()].filter((p) => p.ms !== undefined).sort((a, b) => a.id - b.id);
  for (const p of all) {
    if (p.Tenured !== undefined) { p.tenuredAfterMiB = p.Tenured; }
    if (p.Tenured !== undefined && p.DefNew !== undefined) { p.heapAfterMiB = p.DefNew + p.Tenured; }
  }
  return all;
}

// --- statistics ----------------------------------------------------------------------------------------------------
function percentile(values, q) {
  if (!values.length) { return null; }
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
}
// least-squares slope of (t seconds, value) in units per minute, with its standard error
function slopePerMin(points) {
  const n = points.length;
  if (n < 3) { return { perMin: null, stderr: null, n }; }
  const mt = points.reduce((s, p) => s + p[0], 0) / n;
  const mv = points.reduce((s, p) => s + p[1], 0) / n;
  let sxx = 0, sxy = 0;
  for (const [t, v] of points) { sxx += (t - mt) ** 2; sxy += (t - mt) * (v - mv); }
  const slope = sxy / sxx;
  const residual = points.reduce((s, [t, v]) => s + (v - mv - slope * (t - mt)) ** 2, 0);
  const stderr = Math.sqrt(residual / (n - 2) / sxx);
  return { perMin: slope * 60, stderr: stderr * 60, n };
}
// growth: a slope that, kept up, would use the headroom left within GROWTH_HORIZON_H hours
function growth(name, points, ceiling, unit = 'MiB') {
  const s = slopePerMin(points);
  const start = points.length ? points[0][1] : null, end = points.length ? points[points.length - 1][1] : null;
  const threshold = ceiling !== null && end !== null ? (ceiling - end) / (GROWTH_HORIZON_H * 60) : null;
  return { name, unit, start: round(start), end: round(end), slopePerMin: round(s.perMin, 3), slopeStderr: round(s.stderr, 3),
    samples: s.n, ceiling: round(ceiling), growthThresholdPerMin: round(threshold, 3),
    grows: s.perMin === null || threshold === null ? null : s.perMin > threshold };
}
function bytesOption(option, fallbackMiB) {
  const m = JAVA_OPTS.map((o) => new RegExp(`^${option}(\\d+)([kmgKMG]?)$`).exec(o)).filter(Boolean).pop();
  if (!m) { return fallbackMiB; }
  return Number(m[1]) * ({ k: 1 / 1024, m: 1, g: 1024, '': 1 / MIB }[m[2].toLowerCase()]);
}

// a full GC that also counts what survives it, class by class: jcmd GC.class_histogram (the live objects only), so
// growth in the live heap between two probes comes with the classes that grew
const histograms = [];
const jcmd = (pid, command) => new Promise((resolve) => execFile('jcmd', [String(pid), command],
  { timeout: 60000, maxBuffer: 64 * MIB }, (e, stdout) => { if (e) { log(`jcmd ${command} failed: ${e.message}`); } resolve(e ? '' : stdout); }));
async function forcedFullGc(pid, why) {
  // asynchronous: the client keeps reading (and timing) deliveries meanwhile
  let least = null;
  for (let i = 0; i < HISTOGRAM_GCS; i++) {
    const before = parseGcLog(0).length;
    const output = await jcmd(pid, 'GC.class_histogram');
    if (!output) { return; }
    // the log is written asynchronously; some collectors run a young GC before the full one, so wait for the full one
    const fullAfter = () => parseGcLog(0).slice(before).filter((p) => p.full && p.forced).pop();
    for (let j = 0; j < 30 && !fullAfter(); j++) { await sleep(100); }
    const gc = fullAfter();
    if (!least || (gc && least.gc && gc.heapAfterMiB < least.gc.heapAfterMiB)) { least = { output, gc }; }
  }
  fs.writeFileSync(path.join(OUT, `steady-histogram-${histograms.length + 1}.txt`), least.output);
  const classes = new Map();
  for (const m of least.output.matchAll(/^\s*\d+:\s+(\d+)\s+(\d+)\s+(.+)$/gm)) { classes.set(m[3].trim(), { instances: Number(m[1]), bytes: Number(m[2]) }); }
  histograms.push({ why, classes, gcId: least.gc?.id });
  log(`forced full GC with a class histogram (${why})`);
}
function histogramGrowth() {
  if (histograms.length < 2) { return []; }
  const [a, b] = histograms.slice(-2);
  return [...b.classes].map(([name, v]) => {
    const was = a.classes.get(name) ?? { instances: 0, bytes: 0 };
    return { class: name, bytes: v.bytes - was.bytes, instances: v.instances - was.instances, instancesEnd: v.instances };
  }).sort((x, y) => y.bytes - x.bytes).slice(0, 10).filter((c) => c.bytes > 0);
}

// --- the run -----------------------------------------------------------------------------------------------------------
if (!JAR || !fs.existsSync(JAR)) { console.error('bench/steady.mjs: no jar (./mvnw -q -DskipTests package, or set GRIPWAY_JAR)'); process.exit(2); }
if (N + 64 > 20000) { log(`warning: N=${N} plus a few files is at or above a 20,000 open-file limit`); }
const portInUse = (port) => new Promise((resolve) => {
  const socket = net.connect({ host: '127.0.0.1', port }, () => { socket.destroy(); resolve(true); });
  socket.on('error', () => resolve(false));
});
for (const [name, port] of Object.entries(PORTS)) {
  if (await portInUse(port)) { console.error(`bench/steady.mjs: ${name} port ${port} in use (set BASE_PORT)`); process.exit(1); }
}
log(`N=${N} streams on ${CHANNELS} channel(s), one publish a second for ${DURATION_S} s, slope window ${SLOPE_WINDOW_S} s; results in ${OUT}`);
const origin = await startOrigin();
const { java, spawnedAt } = await startGripway();
log(`gripway ready (pid ${java.pid}): java ${JAVA_OPTS.join(' ')}`);
proxySampler = new procstat.TreeSampler(java.pid, { includeChildren: false });
clientSampler = new procstat.TreeSampler(process.pid, { includeChildren: false });
originSampler = new procstat.TreeSampler(origin.pid, { includeChildren: false });
const idle = await takeSample('idle');

const establishStart = hr();
await openAll();
const establishS = (hr() - establishStart) / 1000;
log(`${counts.established} of ${N} streams established in ${establishS.toFixed(1)} s (${counts.connectFailures} failed attempts, ${counts.gaveUp} gave up)`);
await sleep(2000);
const held = await takeSample('held');

const publishStart = hr();
const publishStartT = (publishStart - started) / 1000;
const minutes = [];
const windowStartT = publishStartT + DURATION_S - SLOPE_WINDOW_S;
let windowProbeDone = !FULL_GC_PROBES, windowProbe = null;
const sampler = setInterval(() => { takeSample('steady').catch((e) => log(`sample failed: ${e.message}`)); }, SAMPLE_S * 1000);
for (let seq = 1; seq <= DURATION_S; seq++) {
  const minute = Math.floor((seq - 1) / 60);
  if (!minutes[minute]) { minutes[minute] = newHistogram(); latencyMinute = minutes[minute]; }
  if (!windowProbeDone && (hr() - started) / 1000 >= windowStartT) { windowProbeDone = true; windowProbe = forcedFullGc(java.pid, 'slope window start'); }
  const wait = publishStart + (seq - 1) * 1000 - hr();
  if (wait > 0) { await sleep(wait); }
  await publish(seq);
  if (seq % 60 === 0) {
    const h = minutes[minute];
    log(`minute ${minute + 1}: ${h.n} receipts, p50 ${quantile(h, 0.5)} ms, p99 ${quantile(h, 0.99)} ms, max ${round(h.max, 1)} ms; `
      + `lost ${counts.lost}, duplicated ${counts.duplicated}, closed ${counts.closedEarly}; RSS ${samples.at(-1)?.rssMiB} MiB`);
  }
}
const published = DURATION_S;
// the last publish's deliveries: wait until every open stream has it (bounded)
const alive = () => subs.filter((s) => s.established && !s.failed);
for (let i = 0; i < 100 && alive().some((s) => s.next <= published); i++) { await sleep(100); }
clearInterval(sampler);
await windowProbe;
const publishEndT = (hr() - started) / 1000;
await takeSample('steady');
if (FULL_GC_PROBES) { await forcedFullGc(java.pid, 'slope window end'); }
await takeSample('after');
for (const s of subs) { if (s.established && !s.failed && s.next <= published) { counts.lost += published + 1 - s.next; } }

// --- report --------------------------------------------------------------------------------------------------------------
const pauses = parseGcLog(spawnedAt);
const steadyPauses = pauses.filter((p) => p.t >= publishStartT && p.t <= publishEndT && !p.forced);
const windowPauses = steadyPauses.filter((p) => p.t >= windowStartT);
const forced = pauses.filter((p) => p.forced);
// the full GC of each class-histogram probe (the live heap), in order
const probeGcs = histograms.slice(-2).map((h) => pauses.find((p) => p.id === h.gcId)).filter(Boolean);
const f = (x, unit = '') => (x === null || x === undefined ? 'n/a' : `${x}${unit}`);
function pauseStats(list, during) {
  const ms = list.map((p) => p.ms);
  const cpus = list.filter((p) => p.cpuMs !== undefined).map((p) => p.cpuMs);
  const max = ms.length ? Math.max(...ms) : null;
  return { during, count: ms.length, young: list.filter((p) => /Young/.test(p.what)).length, full: list.filter((p) => p.full).length,
    p50Ms: round(percentile(ms, 0.5), 3), p99Ms: round(percentile(ms, 0.99), 3), maxMs: round(max, 3),
    totalMs: round(ms.reduce((a, b) => a + b, 0), 1), targetMs: 20,
    // a concurrent collector's pauses have no CPU line of their own
    cpuP50Ms: round(percentile(cpus, 0.5), 1), cpuP99Ms: round(percentile(cpus, 0.99), 1),
    cpuMaxMs: cpus.length ? round(Math.max(...cpus), 1) : null,
    p99MeetsTarget: ms.length ? percentile(ms, 0.99) <= 20 : null, maxMeetsTarget: ms.length ? max <= 20 : null,
    over20Ms: list.filter((p) => p.ms > 20).map((p) => ({ t: round(p.t, 1), what: p.what, ms: p.ms })) };
}
// a concurrent collector's pauses (init mark, final mark, ...) are neither young nor full
const pausesLine = (r) => `${r.count} (${r.young} young, ${r.full} full, ${r.count - r.young - r.full} other), p50 ${f(r.p50Ms)} ms, p99 ${f(r.p99Ms)} ms, max ${f(r.maxMs)} ms, `
  + `total ${f(r.totalMs)} ms; GC thread CPU (User+Sys) p50 ${f(r.cpuP50Ms)}, p99 ${f(r.cpuP99Ms)}, max ${f(r.cpuMaxMs)} ms (target ≤ 20 ms: ${r.count === 0 ? 'no pause found in the GC log' : `p99 ${r.p99MeetsTarget ? 'met' : 'NOT met'}, max ${r.maxMeetsTarget ? 'met' : 'NOT met'}`})`
  + (r.over20Ms.length ? `; over 20 ms: ${r.over20Ms.slice(0, 6).map((p) => `${p.what} ${round(p.ms, 1)} ms`).join(', ')}` : '');
const steady = samples.filter((s) => s.phase === 'steady');
const inWindow = steady.filter((s) => s.t >= windowStartT);
const heapCeiling = samples.find((s) => s.jvm)?.jvm.heapMaxMiB ?? null;
const podMiB = bytesOption('-XX:MaxRAM=', 768);
const directCeiling = bytesOption('-XX:MaxDirectMemorySize=', heapCeiling);
const cpu = (key) => steady.length > 1 ? (steady.at(-1)[key] - steady[0][key]) / (steady.at(-1).t - steady[0].t) * 100 : null;
const deliveredExpected = published * (N - counts.gaveUp);
const report = {
  scenario: 'S steady state at the socket limit', date: new Date().toISOString(), jar: path.basename(JAR),
  javaOpts: JAVA_OPTS.join(' '), streams: N, channels: CHANNELS, durationS: DURATION_S, sampleS: SAMPLE_S,
  slopeWindowS: SLOPE_WINDOW_S, growthHorizonH: GROWTH_HORIZON_H,
  establish: { seconds: round(establishS), established: counts.established, failedAttempts: counts.connectFailures, gaveUp: counts.gaveUp,
    rssIdleMiB: idle.rssMiB, rssHeldMiB: held.rssMiB, rssPerStreamKiB: round((held.rssMiB - idle.rssMiB) * 1024 / N) },
  delivery: { published, publishFailures: publishes.failed, expected: deliveredExpected, received: counts.received,
    lost: counts.lost, duplicatedOrReordered: counts.duplicated, streamsClosedEarly: counts.closedEarly,
    publishRequestMs: { p50: round(percentile(publishes.durations, 0.5)), p99: round(percentile(publishes.durations, 0.99)),
      max: round(Math.max(...publishes.durations)) } },
  latencyPerMinute: minutes.map((h, i) => ({ minute: i + 1, receipts: h.n, p50Ms: quantile(h, 0.5), p99Ms: quantile(h, 0.99), maxMs: round(h.max, 1) })),
  // all of publishing (the first minute includes the heap growing to fit the streams: full GCs that expand it), and
  // the slope window alone (the steady state proper); forced full GCs excluded from both
  gcPauses: pauseStats(steadyPauses, 'publishing'),
  gcPausesInWindow: pauseStats(windowPauses, 'slope window'),
  gcPausesBeforePublishing: pauses.filter((p) => p.t < publishStartT && !p.forced).map((p) => ({ what: p.what, ms: p.ms })).filter((p) => p.ms > 20),
  forcedFullGcs: forced.map((p) => ({ t: round(p.t, 1), ms: p.ms, cpuMs: p.cpuMs, liveHeapMiB: round(p.heapAfterMiB) })),
  liveHeapGrowthByClass: histogramGrowth(),
  // the leak check: what survives a full GC at the start and at the end of the slope window
  liveHeap: probeGcs.length === 2 ? (() => {
    const [a, b] = probeGcs;
    const perMin = (b.heapAfterMiB - a.heapAfterMiB) / ((b.t - a.t) / 60);
    const threshold = (heapCeiling - b.heapAfterMiB) / (GROWTH_HORIZON_H * 60);
    return { startMiB: round(a.heapAfterMiB), endMiB: round(b.heapAfterMiB), minutes: round((b.t - a.t) / 60),
      perMin: round(perMin, 3), growthThresholdPerMin: round(threshold, 3), grows: perMin > threshold };
  })() : null,
  heapAfterGc: growth('heap after each GC (young GCs: includes garbage promoted since the last full GC)',
    windowPauses.map((p) => [p.t, p.heapAfterMiB]), heapCeiling),
  tenuredAfterGc: growth('old generation after each young GC (its slope is the promotion rate)',
    windowPauses.filter((p) => p.tenuredAfterMiB !== undefined).map((p) => [p.t, p.tenuredAfterMiB]), heapCeiling),
  rss: growth('proxy RSS', inWindow.map((s) => [s.t, s.rssMiB]), podMiB),
  direct: growth('direct buffers (jvm_buffer_memory_used_bytes{id="direct"})', inWindow.filter((s) => s.jvm).map((s) => [s.t, s.jvm.directMiB]), directCeiling),
  nonHeap: growth('non-heap used (metaspace, code cache)', inWindow.filter((s) => s.jvm).map((s) => [s.t, s.jvm.nonHeapUsedMiB]), podMiB - (heapCeiling ?? 0)),
  openFiles: growth('open files', inWindow.filter((s) => s.jvm).map((s) => [s.t, s.jvm.openFiles]), 20000, 'files'),
  threads: growth('live threads', inWindow.filter((s) => s.jvm).map((s) => [s.t, s.jvm.threads]), null, 'threads'),
  cpu: { proxyPct: round(cpu('proxyCpuS'), 1), clientPct: round(cpu('clientCpuS'), 1), originPct: round(cpu('originCpuS'), 1),
    proxyCpuMsPerPublish: steady.length > 1 ? round((steady.at(-1).proxyCpuS - steady[0].proxyCpuS) * 1000 / ((steady.at(-1).t - steady[0].t)), 1) : null,
    machineBusyPctMedian: round(percentile(steady.map((s) => s.machineBusyPct).filter((v) => v !== null), 0.5), 1),
    machineBusyPctMax: round(Math.max(...steady.map((s) => s.machineBusyPct ?? 0)), 1) },
  samples,
};
report.tenuredAfterGc.grows = null; // promotion is expected under a generational GC; the live heap above is the leak check
report.nothingGrows = ['liveHeap', 'rss', 'direct', 'nonHeap', 'openFiles'].every((k) => report[k] === null || report[k].grows !== true)
  && (report.liveHeap !== null || report.heapAfterGc.grows !== true);
report.ok = report.delivery.lost === 0 && report.delivery.duplicatedOrReordered === 0 && report.delivery.streamsClosedEarly === 0
  && counts.gaveUp === 0 && report.nothingGrows;

const g = (r) => `${f(r.start)} → ${f(r.end)} ${r.unit}, slope ${f(r.slopePerMin)} ±${f(r.slopeStderr)} ${r.unit}/min`
  + (r.growthThresholdPerMin === null ? '' : ` (growth = > ${r.growthThresholdPerMin} ${r.unit}/min: ${r.grows ? 'GROWS' : 'steady'})`);
const promotionHours = report.tenuredAfterGc.slopePerMin > 0 && report.liveHeap
  ? round((heapCeiling - (bytesOption('-Xmn', 24)) - report.liveHeap.endMiB) / report.tenuredAfterGc.slopePerMin / 60, 1) : null;
const text = [
  `Scenario S, steady state: ${N} SSE streams on ${CHANNELS} channel(s), one publish a second for ${DURATION_S} s (${report.date})`,
  `java ${report.javaOpts}`,
  `established ${counts.established}/${N} in ${report.establish.seconds} s (${counts.connectFailures} failed attempts); RSS idle ${idle.rssMiB} MiB, `
    + `held ${held.rssMiB} MiB (${report.establish.rssPerStreamKiB} KiB per stream)`,
  `delivery: ${published} publishes (${publishes.failed} failed), ${counts.received} of ${deliveredExpected} receipts; lost ${counts.lost}, `
    + `duplicated/reordered ${counts.duplicated}, streams closed early ${counts.closedEarly}`,
  `GC pauses while publishing (forced excluded): ${pausesLine(report.gcPauses)}`,
  `GC pauses in the slope window (last ${SLOPE_WINDOW_S} s): ${pausesLine(report.gcPausesInWindow)}`,
  `GC pauses over 20 ms before publishing (establishing, heap growing): ${report.gcPausesBeforePublishing.map((p) => `${p.what} ${round(p.ms, 1)} ms`).join(', ') || 'none'}`,
  `forced full GCs (jcmd GC.class_histogram): ${forced.map((p) => `${round(p.ms, 1)} ms (CPU ${f(p.cpuMs)} ms) → ${round(p.heapAfterMiB, 1)} MiB live`).join(', ') || 'none'}`,
  report.liveHeap ? `live heap: ${report.liveHeap.startMiB} → ${report.liveHeap.endMiB} MiB over ${report.liveHeap.minutes} min = ${report.liveHeap.perMin} MiB/min `
    + `(growth = > ${report.liveHeap.growthThresholdPerMin} MiB/min: ${report.liveHeap.grows ? 'GROWS' : 'steady'})` : 'live heap: no forced GCs',
  `live heap growth by class (top): ${report.liveHeapGrowthByClass.slice(0, 5).map((c) => `${c.class} +${round(c.bytes / 1024, 1)} KiB (+${c.instances})`).join(', ') || 'none'}`,
  `heap after GC (slope window): ${g(report.heapAfterGc)}`,
  `old gen after young GC: ${g(report.tenuredAfterGc)} (promotion; a full GC would come in ~${f(promotionHours)} h)`,
  `RSS: ${g(report.rss)}`,
  `direct memory: ${g(report.direct)}`,
  `non-heap: ${g(report.nonHeap)}`,
  `open files: ${g(report.openFiles)}; threads: ${g(report.threads)}`,
  `CPU while publishing: proxy ${f(report.cpu.proxyPct)} % (${f(report.cpu.proxyCpuMsPerPublish)} ms per publish), client ${f(report.cpu.clientPct)} %, `
    + `origin ${f(report.cpu.originPct)} %; machine busy median ${f(report.cpu.machineBusyPctMedian)} % of 200, max ${f(report.cpu.machineBusyPctMax)} %`,
  'publish→receipt latency per minute (ms):',
  ...report.latencyPerMinute.map((m) => `  minute ${m.minute}: p50 ${f(m.p50Ms)}, p99 ${f(m.p99Ms)}, max ${f(m.maxMs)} (${m.receipts} receipts)`),
  `(growth = a slope that would use up the headroom left, ceiling − end, within ${GROWTH_HORIZON_H} h; a forced full GC's pause also shows in its minute's latency)`,
  `nothing grows: ${report.nothingGrows ? 'yes' : 'NO'}; overall: ${report.ok ? 'OK' : 'FAILED'}`,
].join('\n');
fs.writeFileSync(path.join(OUT, 'steady.json'), JSON.stringify(report, null, 1));
fs.writeFileSync(path.join(OUT, 'steady.txt'), `${text}\n`);
console.log(text);
log(`results: ${OUT}/steady.json, steady.txt, steady-gc.log`);

for (const s of subs) { s.failed = true; s.socket?.destroy(); }
java.kill('SIGTERM');
await Promise.race([new Promise((resolve) => java.on('exit', resolve)), sleep(15000)]);
origin.kill('SIGTERM');
process.exit(report.ok ? 0 : 1);
