'use strict';
// Scenario E (cluster): two Gripway replicas sharing a Redis bus. Subscribers hold SSE streams on replica B; the
// publisher posts to replica A's publish API. Reports p50/p99/max publish->receipt latency (like scenario B) and the
// delivered throughput of closed-loop batched publishing (like scenario C), all through the Redis bus.
//
// Starts its own redis-server on a free port (never 6379), its own origin (the shared harness's lib/origin.js) and
// two Gripways; stops all of them by PID. Skips, with a message and exit code 0, when the jar has no Redis bus
// (`--gripway.bus.type=redis` fails to start or does not deliver across replicas).
//
//   GRIPWAY_JAR=target/gripway-*.jar node bench/cluster.js
// Env: E_SUBS (subscribers, default 1000), E_PUBLISHES (latency publishes, default 10), E_GAP_MS (300),
//      E_DURATION_S (throughput window, default 5), E_BATCH (items per publish, 100), E_CHANNELS (100),
//      E_OUT (JSON result path), E_LOG_DIR (where replica logs are kept on a skip), SHARED_BENCH, GRIPWAY_JAVA_OPTS, E_BASE_PORT (default 31000).
const fs = require('fs');
const os = require('os');
const net = require('net');
const path = require('path');
const { spawn, fork, execFileSync } = require('child_process');

const SHARED = process.env.SHARED_BENCH || path.join(__dirname, '..', '..', 'shared', 'bench');
const { Publisher } = require(path.join(SHARED, 'lib', 'httpclient.js'));
const ps = require(path.join(SHARED, 'lib', 'procstat.js'));

const env = process.env;
const JAR = env.GRIPWAY_JAR;
const SUBS = parseInt(env.E_SUBS || '1000', 10);
const PUBLISHES = parseInt(env.E_PUBLISHES || '10', 10);
const GAP_MS = parseInt(env.E_GAP_MS || '300', 10);
const DURATION_S = parseFloat(env.E_DURATION_S || '5');
const BATCH = parseInt(env.E_BATCH || '100', 10);
const CHANNELS = parseInt(env.E_CHANNELS || '100', 10);
const JAVA_OPTS = (env.GRIPWAY_JAVA_OPTS || '-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xms160m -Xmx1g -Xmn24m -Xss256k').split(/\s+/).filter(Boolean)
  .filter((f) => !f.startsWith('-XX:StartFlightRecording'));
const MAX_SECONDS = parseInt(env.E_MAX_SECONDS || '600', 10);
const BASE = parseInt(env.E_BASE_PORT || '31000', 10);

const hr = () => { const t = process.hrtime(); return t[0] * 1e3 + t[1] / 1e6; };
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const log = (...a) => console.log('[E]', ...a);
const pct = (s, p) => (s.length ? s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))] : null);
const r2 = (x) => (x === null || x === undefined ? null : Math.round(x * 100) / 100);

const children = [];
function stopAll() {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) { try { process.kill(c.pid, 'SIGTERM'); } catch (_) {} }
  setTimeout(() => { for (const c of children) if (c.exitCode === null && c.signalCode === null) { try { process.kill(c.pid, 'SIGKILL'); } catch (_) {} } }, 5000).unref();
}
process.on('exit', stopAll);
process.on('SIGINT', () => { stopAll(); process.exit(130); });
setTimeout(() => { log(`watchdog: ${MAX_SECONDS} s passed, stopping`); stopAll(); process.exit(3); }, MAX_SECONDS * 1000).unref();

function portFree(port) {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}
async function freePort(from) {
  for (let p = from; p < from + 200; p++) if (p !== 6379 && await portFree(p)) return p;
  throw new Error(`no free port from ${from}`);
}
function tcpUp(port) {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port });
    s.once('connect', () => { s.destroy(); resolve(true); });
    s.once('error', () => resolve(false));
  });
}
async function waitFor(cond, ms, poll = 200) {
  const t0 = Date.now();
  while (Date.now() - t0 < ms) { if (await cond()) return true; await sleep(poll); }
  return false;
}
let workDir = null;
function skip(why) {
  log(`SKIPPED: ${why}`);
  if (workDir) {
    // keep the replicas' logs next to the result (the work directory is removed)
    for (const f of fs.readdirSync(workDir).filter((n) => n.endsWith('.log'))) {
      try { fs.copyFileSync(path.join(workDir, f), path.join(env.E_LOG_DIR || os.tmpdir(), `cluster-e-${f}`)); } catch (_) {}
    }
    try { fs.rmSync(workDir, { recursive: true, force: true }); } catch (_) {}
    log(`replica logs: ${env.E_LOG_DIR || os.tmpdir()}/cluster-e-gripway-{a,b}.log`);
  }
  if (env.E_OUT) fs.writeFileSync(env.E_OUT, JSON.stringify({ scenario: 'E', skipped: why }, null, 2) + '\n');
  stopAll();
  process.exit(0);
}

async function startRedis(port, dir) {
  const c = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no',
    '--dir', dir], { stdio: ['ignore', 'ignore', 'inherit'] });
  children.push(c);
  if (!await waitFor(() => tcpUp(port), 10000)) throw new Error('redis-server did not start');
  return c;
}
async function startGripway(name, ports, redisPort, logDir) {
  const args = [...JAVA_OPTS, '-jar', JAR, `--server.port=${ports.http}`, `--gripway.publish.port=${ports.pub}`,
    `--management.server.port=${ports.mgmt}`, `--gripway.origin=http://127.0.0.1:${ports.origin}`,
    '--gripway.bus.type=redis', `--gripway.bus.redis.url=redis://127.0.0.1:${redisPort}`, '--logging.level.root=WARN'];
  const out = fs.openSync(path.join(logDir, `gripway-${name}.log`), 'w');
  const c = spawn('java', args, { stdio: ['ignore', out, out] });
  fs.closeSync(out);
  children.push(c);
  const ok = await waitFor(async () => {
    if (c.exitCode !== null) return true;
    const p = new Publisher(`http://127.0.0.1:${ports.pub}/publish/`, { timeoutMs: 2000 });
    const r = await p.post('{"items":[]}').catch(() => ({ status: 0 }));
    p.close();
    return r.status >= 200 && r.status < 300;
  }, 60000, 300);
  if (c.exitCode !== null) return { child: c, failed: `exited with ${c.exitCode} (log: gripway-${name}.log)` };
  if (!ok) return { child: c, failed: 'not ready in 60 s' };
  return { child: c };
}

// one SSE subscriber: raw socket, counts '~' and reads "data: <seq> <t>" markers
function openSse(port, channel, key, onData) {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port });
    s.setNoDelay(true);
    let headerDone = false;
    let acc = Buffer.alloc(0);
    const to = setTimeout(() => { s.destroy(); resolve(null); }, 15000);
    s.once('connect', () => s.write(`GET /sse/${channel}?c=${key} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`));
    s.on('data', (buf) => {
      if (!headerDone) {
        acc = Buffer.concat([acc, buf]);
        if (acc.indexOf(':ok') < 0) return;
        headerDone = true;
        clearTimeout(to);
        resolve(s);
        return;
      }
      onData(buf);
    });
    s.on('error', () => { clearTimeout(to); resolve(null); });
  });
}

async function main() {
  if (!JAR || !fs.existsSync(JAR)) skip(`no Gripway jar (GRIPWAY_JAR=${JAR})`);
  try { execFileSync('redis-server', ['--version'], { stdio: 'ignore' }); } catch (_) { skip('redis-server not installed'); }
  workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gripway-bench-e.'));
  const result = { scenario: 'E', date: new Date().toISOString(), subs: SUBS, channels: CHANNELS, java_opts: JAVA_OPTS.join(' ') };

  let next = BASE;
  const alloc = async () => { const p = await freePort(next); next = p + 1; return p; };
  const redisPort = await alloc();
  const originPort = await alloc();
  const A = { http: await alloc(), pub: await alloc(), mgmt: await alloc(), origin: originPort };
  const B = { http: await alloc(), pub: await alloc(), mgmt: await alloc(), origin: originPort };
  log(`redis ${redisPort}, origin ${originPort}, replica A http ${A.http} publish ${A.pub}, replica B http ${B.http} publish ${B.pub}`);

  await startRedis(redisPort, workDir);
  const origin = fork(path.join(SHARED, 'lib', 'origin.js'), [], { env: { ...env, ORIGIN_PORT: String(originPort) }, stdio: ['ignore', 'ignore', 'inherit', 'ipc'], execArgv: [] });
  children.push(origin);
  if (!await waitFor(() => tcpUp(originPort), 10000)) throw new Error('origin did not start');

  const [ra, rb] = await Promise.all([startGripway('a', A, redisPort, workDir), startGripway('b', B, redisPort, workDir)]);
  if (ra.failed || rb.failed) skip(`the jar does not run with --gripway.bus.type=redis (replica A: ${ra.failed || 'ok'}; replica B: ${rb.failed || 'ok'})`);

  // does a publish on A reach a subscriber on B?
  let probeGot = false;
  const probe = await openSse(B.http, 'e-probe', 'probe', (buf) => { if (buf.indexOf('~') >= 0) probeGot = true; });
  if (!probe) skip('could not open an SSE stream on replica B');
  await sleep(500);
  const pubA = new Publisher(`http://127.0.0.1:${A.pub}/publish/`);
  const item = (ch, data) => `{"channel":"${ch}","formats":{"http-stream":{"content":"${data}"}}}`;
  await waitFor(async () => {
    await pubA.post(`{"items":[${item('e-probe', 'data: ~probe\\n\\n')}]}`);
    return waitFor(async () => probeGot, 1000, 20);
  }, 10000, 0);
  probe.destroy();
  if (!probeGot) skip('a publish on replica A did not reach a subscriber on replica B within 10 s (no Redis bus in this jar?)');

  // --- E1: fan-out latency across replicas: SUBS subscribers on one channel on B, publishes on A -------------------
  const latSubs = [];
  let expect = null; // { seq, t0, got: [] }
  for (let i = 0; i < SUBS; i += 64) {
    const batch = [];
    for (let j = i; j < Math.min(SUBS, i + 64); j++) {
      batch.push(openSse(B.http, 'e-fan', `f${j}`, (buf) => {
        if (expect && buf.indexOf('~') >= 0) expect.got.push(hr() - expect.t0);
      }));
    }
    for (const s of await Promise.all(batch)) if (s) latSubs.push(s);
  }
  log(`E1: ${latSubs.length}/${SUBS} subscribers on replica B`);
  await sleep(1000);
  const runs = [];
  for (let k = 0; k < PUBLISHES; k++) {
    expect = { got: [], t0: hr() };
    const r = await pubA.post(`{"items":[${item('e-fan', `data: ~${k}\\n\\n`)}]}`);
    await waitFor(async () => expect.got.length >= latSubs.length, 15000, 5);
    const s = expect.got.slice().sort((x, y) => x - y);
    runs.push({ status: r.status, received: s.length, p50: pct(s, 50), p99: pct(s, 99), max: s[s.length - 1] ?? null });
    expect = null;
    await sleep(GAP_MS);
  }
  const med = (a) => { const v = a.filter((x) => x !== null).sort((x, y) => x - y); return v.length ? v[v.length >> 1] : null; };
  result.fanout = { subscribers: latSubs.length, publishes: runs.length, p50_ms: r2(med(runs.map((r) => r.p50))),
    p99_ms: r2(med(runs.map((r) => r.p99))), max_ms: r2(med(runs.map((r) => r.max))),
    missing: runs.reduce((a, r) => a + (latSubs.length - r.received), 0), runs };
  for (const s of latSubs) s.destroy();
  log(`E1 fan-out A->B, ${latSubs.length} subs: p50 ${result.fanout.p50_ms} ms, p99 ${result.fanout.p99_ms} ms, max ${result.fanout.max_ms} ms, missing ${result.fanout.missing}`);

  // --- E2: throughput across replicas: SUBS subscribers over CHANNELS channels on B, batched publishes on A ----------
  let delivered = 0;
  let lastDelivery = 0;
  const tpSubs = [];
  for (let i = 0; i < SUBS; i += 64) {
    const batch = [];
    for (let j = i; j < Math.min(SUBS, i + 64); j++) {
      batch.push(openSse(B.http, `e-tp${j % CHANNELS}`, `t${j}`, (buf) => {
        let n = 0; let at = -1;
        while ((at = buf.indexOf(0x7e, at + 1)) >= 0) n++;
        if (n) { delivered += n; lastDelivery = hr(); }
      }));
    }
    for (const s of await Promise.all(batch)) if (s) tpSubs.push(s);
  }
  await sleep(1000);
  const perChannel = new Array(CHANNELS).fill(0);
  tpSubs.forEach((_, j) => perChannel[j % CHANNELS]++);
  const body = (seq) => `{"items":[${Array.from({ length: BATCH }, (_, i) => item(`e-tp${i % CHANNELS}`, `data: ~${seq} ${'x'.repeat(80)}\\n\\n`)).join(',')}]}`;
  let accepted = 0; let requests = 0; let seq = 0;
  const pubs = Array.from({ length: 4 }, () => new Publisher(`http://127.0.0.1:${A.pub}/publish/`));
  const t0 = hr();
  const sA = new ps.TreeSampler(ra.child.pid); const sB = new ps.TreeSampler(rb.child.pid);
  const a0 = sA.sample(); const b0 = sB.sample();
  await Promise.all(pubs.map(async (p) => {
    while (hr() - t0 < DURATION_S * 1000) {
      const r = await p.post(body(seq++));
      requests++;
      if (r.status >= 200 && r.status < 300) accepted++;
      else await sleep(10);
    }
  }));
  const pubEnd = hr();
  let expected = 0;
  for (let i = 0; i < BATCH; i++) expected += perChannel[i % CHANNELS];
  expected *= accepted;
  let lastSeen = delivered; let lastProgress = hr();
  while (delivered < expected && hr() - lastProgress < 3000 && hr() - pubEnd < 60000) {
    await sleep(50);
    if (delivered !== lastSeen) { lastSeen = delivered; lastProgress = hr(); }
  }
  const a1 = sA.sample(); const b1 = sB.sample();
  result.throughput = { subscribers: tpSubs.length, duration_s: DURATION_S, batch: BATCH, publish_requests: requests,
    accepted_requests: accepted, delivered, expected, lost: expected - delivered,
    delivered_msg_s: Math.round(delivered / ((lastDelivery - t0) / 1000)),
    drain_s: r2((lastDelivery - pubEnd) / 1000),
    replica_a_cpu_pct: r2(ps.cpuPct(a0, a1)), replica_b_cpu_pct: r2(ps.cpuPct(b0, b1)) };
  for (const s of tpSubs) s.destroy();
  for (const p of pubs) p.close();
  pubA.close();
  log(`E2 throughput A->B: ${result.throughput.delivered_msg_s} msg/s delivered, ${accepted} publishes x ${BATCH} items, lost ${result.throughput.lost}, drain ${result.throughput.drain_s} s`);
  if (env.E_OUT) fs.writeFileSync(env.E_OUT, JSON.stringify(result, null, 2) + '\n');
  stopAll();
  fs.rmSync(workDir, { recursive: true, force: true });
  workDir = null;
  setTimeout(() => process.exit(0), 500);
}

main().catch((e) => { log('error:', e.message); stopAll(); process.exit(1); });
