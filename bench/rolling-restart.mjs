// Zero loss across a rolling restart, measured (issue 14). Runs, on 127.0.0.1 only: a private redis-server, three
// Gripway replicas on the Redis bus, a reliable origin (a store per channel, next links answered from Grip-Last),
// a publisher at a steady rate with id/prev-id, and CLIENTS SSE clients that reconnect with Last-Event-ID to the next
// replica when theirs closes. It restarts the replicas one by one with SIGTERM (Gripway drains), then reports per
// client the items missing, duplicated and out of order (all must be 0), reconnect time p50/p99, the work the
// restart cost the origin (items it replayed from its store, next links it answered) and why the replicas sent
// connections back to it (recoveries by cause).
//
//   node bench/rolling-restart.mjs                 # history on (gripway.history.channels=roll-*)
//   HISTORY=off node bench/rolling-restart.mjs     # history off: the origin replays on reconnect, as without Gripway's
//   CLIENTS=1000 CHANNELS=10 RATE_MS=100 ITEMS=150 JAR=target/gripway-0.1.0-SNAPSHOT.jar node bench/rolling-restart.mjs
//
// Every loop is bounded: ITEMS publishes per channel, one restart per replica, a deadline for everything.
import { spawn } from 'node:child_process';
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import os from 'node:os';

const CLIENTS = Number(process.env.CLIENTS ?? 1000);
const CHANNELS = Number(process.env.CHANNELS ?? 10);
const RATE_MS = Number(process.env.RATE_MS ?? 100);
const ITEMS = Number(process.env.ITEMS ?? 150);
const HISTORY = (process.env.HISTORY ?? 'on') !== 'off';
const BASE = Number(process.env.BASE_PORT ?? 31000);
const DEADLINE_MS = Number(process.env.DEADLINE_MS ?? 240000);
const REPO = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const JAR = process.env.JAR ?? fs.readdirSync(path.join(REPO, 'target'))
  .filter((f) => /^gripway-.*\.jar$/.test(f)).map((f) => path.join(REPO, 'target', f))[0];
const JVM_OPTIONS = fs.readFileSync(path.join(REPO, 'deploy', 'jvm.options'), 'utf8').trim().split(/\s+/);

const started = Date.now();
const log = (...args) => console.log(`[${((Date.now() - started) / 1000).toFixed(1)}s]`, ...args);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const children = [];
function cleanup() { for (const child of children) { try { child.kill('SIGKILL'); } catch { /* gone */ } } }
process.on('exit', cleanup);
setTimeout(() => { log('deadline passed: stopping'); cleanup(); process.exit(3); }, DEADLINE_MS).unref();

// --- the origin ------------------------------------------------------------------------------------------------
const store = new Map(); // channel -> number of items
const originWork = { replayedItems: 0, nextLinks: 0, holds: 0 };
const event = (id) => `id: ${id}\ndata: item ${id}\n\n`;
function itemsAfter(channel, after) {
  let body = '';
  for (let id = after + 1; id <= (store.get(channel) ?? 0); id++) { body += event(id); originWork.replayedItems++; }
  return body;
}
function lastIdSent(req, channel) {
  for (const value of [].concat(req.headers['grip-last'] ?? []).flatMap((v) => v.split(','))) {
    const [name, rest] = value.split(';');
    if (name.trim() === channel && rest) { return Number(rest.split('=')[1]); }
  }
  return null;
}
const origin = http.createServer((req, res) => {
  const url = new URL(req.url, 'http://origin');
  const channel = url.searchParams.get('ch');
  const last = store.get(channel) ?? 0;
  const instruct = (prevId) => ({
    'Content-Type': 'text/event-stream', 'Grip-Hold': 'stream',
    'Grip-Channel': `${channel}; prev-id=${prevId}`, 'Grip-Link': `</next?ch=${channel}>; rel=next`,
  });
  if (url.pathname === '/next') {
    originWork.nextLinks++;
    const after = lastIdSent(req, channel) ?? last;
    const body = itemsAfter(channel, after);
    res.writeHead(200, instruct(store.get(channel) ?? 0));
    res.end(body);
    return;
  }
  originWork.holds++;
  const seen = Number(req.headers['last-event-id'] ?? 0);
  if (HISTORY) {
    // the client's own position: Gripway catches it up from history
    res.writeHead(200, instruct(seen));
    res.end(':open\n\n');
  }
  else {
    // what an origin does without history at the edge: replay from its store on every reconnect
    const body = itemsAfter(channel, seen);
    res.writeHead(200, instruct(last));
    res.end(':open\n\n' + body);
  }
});

// --- processes -------------------------------------------------------------------------------------------------
function run(command, args, name) {
  const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  child.stderr.on('data', () => {});
  children.push(child);
  child.name = name;
  return child;
}
async function waitFor(check, what, ms = 60000) {
  const until = Date.now() + ms;
  while (Date.now() < until) { if (await check()) { return; } await sleep(200); }
  throw new Error(`${what}: not within ${ms} ms`);
}
const get = (port, p) => new Promise((resolve) => {
  http.get({ host: '127.0.0.1', port, path: p }, (res) => { res.resume(); resolve(res.statusCode); })
    .on('error', () => resolve(0));
});
const replicas = [0, 1, 2].map((i) => ({ http: BASE + 10 + i, publish: BASE + 20 + i, mgmt: BASE + 30 + i }));
// a replica's connections that went back to their origin, by cause, since it started (its /actuator/prometheus)
const recoveries = (r) => new Promise((resolve) => {
  http.get({ host: '127.0.0.1', port: r.mgmt, path: '/actuator/prometheus' }, (res) => {
    let text = '';
    res.setEncoding('utf8').on('data', (d) => { text += d; }).on('end', () => {
      const byCause = {};
      for (const m of text.matchAll(/^gripway_recoveries_started_total\{[^}]*cause="([^"]+)"[^}]*\} (\S+)$/gm)) {
        byCause[m[1]] = (byCause[m[1]] ?? 0) + Number(m[2]);
      }
      resolve(byCause);
    });
  }).on('error', () => resolve({}));
});
const addCounts = (into, counts, sign = 1) => {
  for (const [cause, n] of Object.entries(counts)) { into[cause] = (into[cause] ?? 0) + sign * n; }
  return into;
};
function startReplica(i) {
  const r = replicas[i];
  r.process = run('java', [...JVM_OPTIONS, '-XX:MaxRAM=768m', '-jar', JAR, `--server.port=${r.http}`,
    `--gripway.publish.port=${r.publish}`, `--management.server.port=${r.mgmt}`,
    `--gripway.origin=http://127.0.0.1:${BASE + 1}`, '--gripway.bus.type=redis',
    `--gripway.bus.redis.url=redis://127.0.0.1:${BASE}`, '--gripway.drain.window=2s', '--logging.level.root=WARN',
    ...(HISTORY ? ['--gripway.history.channels=roll-*', `--gripway.history.size=${ITEMS}`] : [])], `gripway-${i}`);
  return waitFor(async () => (await get(r.mgmt, '/actuator/health/readiness')) === 200, `replica ${i} ready`);
}

// --- clients ---------------------------------------------------------------------------------------------------
function client(index) {
  const c = { channel: `roll-${index % CHANNELS}`, replica: index % 3, ids: [], lastId: 0, reconnects: [],
    closedAt: null, connecting: false };
  c.connect = () => {
    const r = replicas[c.replica];
    c.connecting = true;
    const headers = c.lastId ? { 'Last-Event-ID': String(c.lastId) } : {};
    const req = http.get({ host: '127.0.0.1', port: r.http, path: `/stream?ch=${c.channel}`, headers, agent: false },
      (res) => {
        if (res.statusCode !== 200) { res.resume(); return retry(); }
        c.connecting = false;
        if (c.closedAt) { c.reconnects.push(Date.now() - c.closedAt); c.closedAt = null; }
        let buffer = '';
        res.setEncoding('utf8');
        res.on('data', (chunk) => {
          buffer += chunk;
          let end;
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            const block = buffer.slice(0, end); buffer = buffer.slice(end + 2);
            const id = /^id: (\d+)$/m.exec(block);
            if (id) { c.ids.push(Number(id[1])); c.lastId = Number(id[1]); }
          }
        });
        res.on('end', retry); res.on('error', retry);
      });
    req.on('error', retry);
    function retry() {
      if (c.stopped || (c.connecting === false && c.closedAt)) { return; }
      c.closedAt = c.closedAt ?? Date.now();
      c.replica = (c.replica + 1) % 3; // another replica, as a load balancer would send it
      setTimeout(c.connect, 50 + Math.floor(Math.random() * 200));
    }
  };
  return c;
}

// --- the run ---------------------------------------------------------------------------------------------------
if (!JAR) { console.error('no jar in target/: ./mvnw -q -DskipTests package'); process.exit(2); }
const redisDir = fs.mkdtempSync(path.join(os.tmpdir(), 'roll-redis-'));
run('redis-server', ['--port', String(BASE), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir',
  redisDir], 'redis');
await new Promise((resolve) => origin.listen(BASE + 1, '127.0.0.1', resolve));
log(`history ${HISTORY ? 'on' : 'off'}; starting 3 replicas`);
await Promise.all([0, 1, 2].map(startReplica));
const clients = Array.from({ length: CLIENTS }, (_, i) => client(i));
clients.forEach((c) => c.connect());
await sleep(3000);
log(`${CLIENTS} clients on ${CHANNELS} channels`);

let published = 0;
const publisher = (async () => {
  for (let n = 1; n <= ITEMS; n++) {
    for (let ch = 0; ch < CHANNELS; ch++) {
      const channel = `roll-${ch}`;
      store.set(channel, n);
      const body = JSON.stringify({ items: [{ channel, id: String(n), 'prev-id': String(n - 1),
        formats: { 'http-stream': { content: event(n) } } }] });
      // through a replica that is up: the publisher retries another on 503 or a refused connection
      for (let attempt = 0; attempt < 6; attempt++) {
        const r = replicas[(n + ch + attempt) % 3];
        const status = await new Promise((resolve) => {
          const req = http.request({ host: '127.0.0.1', port: r.publish, path: '/publish/', method: 'POST',
            headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) } },
          (res) => { res.resume(); resolve(res.statusCode); });
          req.on('error', () => resolve(0)); req.end(body);
        });
        if (status === 200) { break; }
        await sleep(50);
      }
    }
    published = n;
    await sleep(RATE_MS);
  }
})();

const work = () => ({ ...originWork });
await sleep(2000);
const before = work();
// counted across restarts: a replica's counts are read just before it goes, and once more from the new ones at the end
const recovered = {};
for (const r of replicas) { addCounts(recovered, await recoveries(r), -1); }
for (let i = 0; i < 3; i++) {
  log(`restarting replica ${i} (SIGTERM, drain)`);
  addCounts(recovered, await recoveries(replicas[i]));
  const child = replicas[i].process;
  const exited = new Promise((resolve) => child.on('exit', resolve));
  child.kill('SIGTERM');
  await exited;
  await startReplica(i);
  log(`replica ${i} back`);
  await sleep(1500);
}
const afterRestarts = work();
for (const r of replicas) { addCounts(recovered, await recoveries(r)); }
await publisher;
await sleep(3000);
clients.forEach((c) => { c.stopped = true; });

// --- the report ------------------------------------------------------------------------------------------------
let missing = 0; let duplicated = 0; let outOfOrder = 0; let incomplete = 0;
for (const c of clients) {
  const seen = new Set();
  let previous = 0;
  for (const id of c.ids) {
    if (seen.has(id)) { duplicated++; } else { seen.add(id); }
    if (id < previous) { outOfOrder++; }
    previous = Math.max(previous, id);
  }
  for (let id = 1; id <= ITEMS; id++) { if (!seen.has(id)) { missing++; } }
  if (!seen.has(ITEMS)) { incomplete++; }
}
const times = clients.flatMap((c) => c.reconnects).sort((a, b) => a - b);
const pct = (p) => (times.length ? times[Math.min(times.length - 1, Math.floor(times.length * p))] : NaN);
const result = {
  history: HISTORY ? 'on' : 'off', clients: CLIENTS, channels: CHANNELS, itemsPerChannel: ITEMS, published,
  missing, duplicated, outOfOrder, clientsWithoutTheLastItem: incomplete,
  reconnects: times.length, reconnectP50ms: pct(0.5), reconnectP99ms: pct(0.99),
  originDuringRestarts: {
    holds: afterRestarts.holds - before.holds,
    replayedItems: afterRestarts.replayedItems - before.replayedItems,
    nextLinks: afterRestarts.nextLinks - before.nextLinks,
  },
  // why connections went back to their origin meanwhile (gripway_recoveries_started_total; a drained replica's
  // recoveries in its last instant before the read are not counted)
  recoveriesByCause: Object.fromEntries(Object.entries(recovered).filter(([, n]) => n !== 0)),
};
console.log(JSON.stringify(result, null, 2));
cleanup();
process.exit(missing === 0 && duplicated === 0 && outOfOrder === 0 ? 0 : 1);
