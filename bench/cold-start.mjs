// Cold start and the first minute after it: starts a fresh Gripway JVM, measures how long it takes to answer, then
// establishes N long-polls (or SSE streams) at t≈2 s, t≈30 s and t≈60 s after it became ready, closing each batch
// before the next, and reports each batch's establish time and the proxy CPU it took. A rolling restart sends every
// client to a fresh JVM at once; this shows how much slower than a warm one that JVM is, and for how long.
//
//   GRIPWAY_CMD="java ... -jar target/cds/gripway.jar" node bench/cold-start.mjs
//
// Env: GRIPWAY_CMD (required; without the port arguments, which this script adds), KIND lp|sse|mixed (default lp),
// N (10000), WINDOW (64 connections being set up at once, as the shared harness's scenario A), AT (seconds after
// ready, default 2,30,60), STARTS (fresh JVMs, default 1), GRIPWAY_PORT / GRIPWAY_PUBLISH_PORT / GRIPWAY_MGMT_PORT /
// GRIPWAY_ORIGIN_PORT (32000/32001/32002/32003). Prints one JSON line per start. Every wait is bounded.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';

const env = process.env;
const CMD = env.GRIPWAY_CMD || (() => { throw new Error('GRIPWAY_CMD is required'); })();
const KIND = env.KIND || 'lp';
const N = parseInt(env.N || '10000', 10);
const WINDOW = parseInt(env.WINDOW || '64', 10);
const AT = (env.AT || '2,30,60').split(',').map(Number);
const STARTS = parseInt(env.STARTS || '1', 10);
const PORT = parseInt(env.GRIPWAY_PORT || '32000', 10);
const PUB = parseInt(env.GRIPWAY_PUBLISH_PORT || '32001', 10);
const MGMT = parseInt(env.GRIPWAY_MGMT_PORT || '32002', 10);
const ORIGIN = parseInt(env.GRIPWAY_ORIGIN_PORT || '32003', 10);
const BATCH_TIMEOUT_MS = 60_000;
const READY_TIMEOUT_MS = 60_000;
const TICKS = 100; // USER_HZ on Linux

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const now = () => Number(process.hrtime.bigint() / 1000n) / 1000; // ms

// --- the origin: every request is held, on its own channel, as the harness's scenario A does -------------------------
const answered = new Map(); // channel -> callback, for long-polls: established when the origin answered
const origin = http.createServer((req, res) => {
  const [, kind, channel] = req.url.split('/');
  if (kind === 'sse') {
    res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Grip-Hold': 'stream', 'Grip-Channel': channel });
    res.end('data: open\n\n');
  } else {
    res.writeHead(200, { 'Content-Type': 'text/plain', 'Grip-Hold': 'response', 'Grip-Channel': channel,
      'Grip-Timeout': '600' });
    res.end('timeout\n');
    const done = answered.get(channel);
    if (done) { answered.delete(channel); done(); }
  }
});
origin.keepAliveTimeout = 120_000;
await new Promise((r) => origin.listen(ORIGIN, '127.0.0.1', r));

function cpuTicks(pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(f[11]) + Number(f[12]); // utime + stime
  } catch { return NaN; }
}

function publishReady() {
  return new Promise((resolve) => {
    const req = http.request({ host: '127.0.0.1', port: PUB, path: '/publish/', method: 'POST', timeout: 2000,
      headers: { 'Content-Type': 'application/json' } }, (res) => { res.resume(); resolve(res.statusCode < 300); });
    req.on('error', () => resolve(false));
    req.on('timeout', () => { req.destroy(); resolve(false); });
    req.end('{"items":[]}');
  });
}

// one connection, established when the origin answered (long-poll) or the stream's first event arrived (SSE)
function open(batch, i, sockets) {
  const kind = KIND === 'mixed' ? (i % 2 ? 'sse' : 'lp') : KIND;
  return new Promise((resolve) => {
    const channel = `cs-${batch}-${i}`;
    const socket = net.connect(PORT, '127.0.0.1');
    sockets.push(socket);
    let settled = false;
    const settle = (ok) => { if (!settled) { settled = true; clearTimeout(timer); resolve(ok); } };
    const timer = setTimeout(() => settle(false), 20_000);
    socket.on('error', () => settle(false));
    socket.on('close', () => settle(false));
    if (kind === 'sse') {
      let seen = '';
      socket.on('data', (b) => { seen += b.toString('latin1'); if (seen.includes('data: open')) settle(true); });
    } else {
      answered.set(channel, () => settle(true));
      socket.on('data', () => {});
    }
    socket.write(`GET /${kind}/${channel} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n`);
  });
}

async function establish(batch, pid) {
  const sockets = [];
  const cpu0 = cpuTicks(pid);
  const t0 = now();
  let next = 0; let ok = 0; let failed = 0;
  const deadline = t0 + BATCH_TIMEOUT_MS;
  async function lane() {
    while (next < N && now() < deadline) {
      const i = next++;
      if (await open(batch, i, sockets)) ok++; else failed++;
    }
  }
  await Promise.all(Array.from({ length: WINDOW }, lane));
  const seconds = (now() - t0) / 1000;
  const cpuSeconds = (cpuTicks(pid) - cpu0) / TICKS;
  for (const s of sockets) s.destroy();
  answered.clear();
  return { at_s: null, establish_s: +seconds.toFixed(3), established: ok, failed, proxy_cpu_s: +cpuSeconds.toFixed(2) };
}

async function oneStart() {
  const cmd = `exec ${CMD} --server.port=${PORT} --gripway.publish.port=${PUB} --management.server.port=${MGMT}`
    + ` --gripway.origin=http://127.0.0.1:${ORIGIN} --logging.level.root=WARN`;
  const child = spawn('bash', ['-c', cmd], { stdio: ['ignore', 'ignore', 'inherit'] });
  const t0 = now();
  try {
    while (!(await publishReady())) {
      if (child.exitCode !== null) throw new Error(`gripway exited with ${child.exitCode}`);
      if (now() - t0 > READY_TIMEOUT_MS) throw new Error('gripway not ready in 60 s');
      await sleep(50);
    }
    const ready = now();
    const result = { ready_ms: Math.round(ready - t0), cpu_at_ready_s: cpuTicks(child.pid) / TICKS, batches: [] };
    for (const [b, at] of AT.entries()) {
      const wait = ready + at * 1000 - now();
      if (wait > 0) await sleep(wait);
      const batch = await establish(b, child.pid);
      batch.at_s = +((now() - ready) / 1000 - batch.establish_s).toFixed(1);
      result.batches.push(batch);
      await sleep(500); // let the proxy see the closes before the next batch
    }
    return result;
  } finally {
    child.kill('SIGTERM');
    await Promise.race([new Promise((r) => child.once('exit', r)), sleep(15_000)]);
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
}

const overall = setTimeout(() => { console.error('cold-start: overall time limit'); process.exit(3); },
  STARTS * (READY_TIMEOUT_MS + (Math.max(...AT) + AT.length * BATCH_TIMEOUT_MS / 1000 + 30) * 1000));
overall.unref();
for (let s = 0; s < STARTS; s++) {
  console.log(JSON.stringify({ kind: KIND, n: N, ...(await oneStart()) }));
  await sleep(1000);
}
origin.close();
process.exit(0);
