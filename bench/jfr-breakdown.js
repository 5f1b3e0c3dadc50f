'use strict';
// Where a proxy's CPU per request goes, from the JFR recordings of a scenario P run made with P_JFR=1:
//   node bench/jfr-breakdown.js bench/results/<run>        (reads passthrough.json and jfr/*.jfr there)
//   A=gripway-<variant> B=scg node bench/jfr-breakdown.js ...   (compare other targets; default A=gripway B=scg)
// For each Java target (Gripway, plain SCG) it takes the execution samples of all threads, counts, for each class
// that appears in a sample's stack, the samples it appears in (inclusive; a class counted once per sample), and turns
// a share of samples into µs of CPU per request with that target's measured CPU per request (median of the run).
// Prints the classes whose inclusive cost differs most between Gripway and plain SCG, Gripway's own classes, and an
// "owner" view: each sample charged to the innermost frame of a component that does request work of its own (Gripway,
// the gateway's filters and handlers, WebFlux, Spring's header adapters, Reactor Netty, Netty's HTTP codec), skipping
// the JDK, collections and Reactor operators in between; that view adds up to the whole CPU per request.
// Only samples taken during the target's measured runs count (passthrough.json has their start and end), so the
// shares are of the same CPU the /proc figure measured.
// Needs the JDK's `jfr` tool on PATH. Node 20, no packages.
const { spawn } = require('child_process');
const readline = require('readline');
const fs = require('fs');
const path = require('path');

const dir = process.argv[2];
if (!dir) { console.error('usage: node bench/jfr-breakdown.js bench/results/<run>'); process.exit(2); }
const result = JSON.parse(fs.readFileSync(path.join(dir, 'passthrough.json'), 'utf8'));
const jfrDir = path.join(dir, 'jfr');
const files = fs.readdirSync(jfrDir).filter((f) => f.endsWith('.jfr'));
const DAY = result.date.slice(0, 10); // jfr prints a sample's time of day (UTC here) without its date
const TOP = parseInt(process.env.TOP || '40', 10);

// class names come as a/b/C or a.b.C$$Lambda$12+0x.../123: one spelling, lambdas under their declaring class
const normal = (c) => c.replace(/\//g, '.').replace(/\$\$Lambda.*$/, '').replace(/\$\d+$/, '');
// frames that own request work; anything else (JDK, collections, Reactor operators) is charged to the nearest owner
const OWNER = /^(io\.gripway\.|org\.springframework\.cloud\.gateway\.|org\.springframework\.web\.|org\.springframework\.http\.(server|client)\.|org\.springframework\.boot\.|reactor\.netty\.|io\.netty\.handler\.|io\.netty\.channel\.epoll\.|io\.micrometer\.|jdk\.jfr\.|java\.net\.URL)/;
// windows: [[startMs, endMs]] of the target's measured runs (samples outside them, start-up and warm-up, are left out);
// without them (older results), only the event loops' samples count. jfr's text output is read line by line (its
// JSON for a minute of 1 ms samples is larger than a string may be).
async function profile(file, windows) {
  const classes = new Map(); const selfMethods = new Map(); const threads = new Map(); const owners = new Map();
  let samples = 0; let cur = null;
  const add = (m, k) => m.set(k, (m.get(k) || 0) + 1);
  const finish = () => {
    if (!cur || !cur.frames.length) return;
    const keep = windows.length ? windows.some(([a, b]) => cur.t >= a && cur.t <= b) : /^reactor-http-epoll/.test(cur.thread);
    if (!keep) return;
    samples++;
    add(threads, cur.thread.replace(/-\d+$/, '-N'));
    const methods = cur.frames.map((f) => `${normal(f.cls)}.${f.method}`);
    add(owners, methods.find((m) => OWNER.test(m)) || '(other: JDK, Reactor, JVM)');
    add(selfMethods, methods[0]);
    for (const c of new Set(cur.frames.map((f) => normal(f.cls)))) add(classes, c);
  };
  const p = spawn('jfr', ['print', '--stack-depth', '512', '--events', 'jdk.ExecutionSample', file], { stdio: ['ignore', 'pipe', 'inherit'] });
  const rl = readline.createInterface({ input: p.stdout, crlfDelay: Infinity });
  for await (const line of rl) {
    if (line.startsWith('jdk.ExecutionSample')) { finish(); cur = { t: 0, thread: '', frames: [] }; continue; }
    if (!cur) continue;
    let m;
    if ((m = /^\s+startTime = (\d\d:\d\d:\d\d\.\d+)(?: \((\d{4}-\d\d-\d\d)\))?/.exec(line))) cur.t = Date.parse(`${m[2] || DAY}T${m[1]}Z`);
    else if ((m = /^\s+sampledThread = "([^"]*)"/.exec(line))) cur.thread = m[1];
    else if ((m = /^ {4}(\S+)\(/.exec(line))) { const i = m[1].lastIndexOf('.'); cur.frames.push({ cls: m[1].slice(0, i), method: m[1].slice(i + 1) }); }
  }
  finish();
  return { samples, truncated: 0, classes, selfMethods, threads, owners };
}

(async () => {
const targets = result.targets.filter((t) => t.pid);
const profiles = new Map();
for (const t of targets) {
  const f = files.find((x) => x.includes(`pid-${t.pid}-`));
  if (!f) { console.error(`no JFR file for ${t.name} (pid ${t.pid})`); continue; }
  const windows = result.runs.filter((r) => r.target === t.name && r.started_at).map((r) => [Date.parse(r.started_at), Date.parse(r.ended_at)]);
  const p = await profile(path.join(jfrDir, f), windows);
  p.cpuPerReq = result.summary[t.name].proxy_cpu_us_per_req?.median;
  p.usPerSample = p.cpuPerReq / p.samples;
  profiles.set(t.name, p);
  console.log(`${t.name}: ${p.samples} samples (${p.truncated} truncated stacks), ${p.cpuPerReq} µs CPU/req measured; threads: ` +
    [...p.threads.entries()].sort((a, b) => b[1] - a[1]).slice(0, 5).map(([k, v]) => `${k} ${(100 * v / p.samples).toFixed(0)}%`).join(', '));
}
const g = profiles.get(process.env.A || 'gripway'); const s = profiles.get(process.env.B || 'scg');
if (!g || !s) return;
const us = (p, cls) => (p.classes.get(cls) || 0) * p.usPerSample;
const all = new Set([...g.classes.keys(), ...s.classes.keys()]);
const rows = [...all].map((c) => [c, us(g, c), us(s, c), us(g, c) - us(s, c)]);
const f1 = (x) => x.toFixed(1).padStart(7);
console.log(`\nclasses by inclusive µs CPU/request, Gripway − plain SCG (largest ${TOP} differences)\n  gripway    scg   diff  class`);
for (const r of rows.sort((a, b) => Math.abs(b[3]) - Math.abs(a[3])).slice(0, TOP)) console.log(`${f1(r[1])}${f1(r[2])}${f1(r[3])}  ${r[0]}`);
console.log(`\nGripway's own classes (io.gripway.*), inclusive µs CPU/request\n  gripway  class`);
for (const r of rows.filter((r) => r[0].startsWith('io.gripway')).sort((a, b) => b[1] - a[1]).slice(0, TOP)) console.log(`${f1(r[1])}  ${r[0]}`);
const ownerKeys = new Set([...g.owners.keys(), ...s.owners.keys()]);
const ou = (p, k) => (p.owners.get(k) || 0) * p.usPerSample;
console.log(`\nowners (innermost component frame), µs CPU/request, Gripway − plain SCG (largest ${TOP} differences)\n  gripway    scg   diff  owner`);
for (const k of [...ownerKeys].sort((a, b) => Math.abs(ou(g, b) - ou(s, b)) - Math.abs(ou(g, a) - ou(s, a))).slice(0, TOP)) {
  console.log(`${f1(ou(g, k))}${f1(ou(s, k))}${f1(ou(g, k) - ou(s, k))}  ${k}`);
}
// the same, by the owner's class (a filter's methods and lambdas together)
const byClass = (p) => { const m = new Map(); for (const [k, v] of p.owners) { const c = k.replace(/\.[^.]+$/, ''); m.set(c, (m.get(c) || 0) + v); } return m; };
const gc = byClass(g); const sc = byClass(s);
const cu = (m, p, k) => (m.get(k) || 0) * p.usPerSample;
console.log(`\nowners by class, µs CPU/request, Gripway − plain SCG (largest ${TOP} differences)\n  gripway    scg   diff  owner class`);
for (const k of [...new Set([...gc.keys(), ...sc.keys()])].sort((a, b) => Math.abs(cu(gc, g, b) - cu(sc, s, b)) - Math.abs(cu(gc, g, a) - cu(sc, s, a))).slice(0, TOP)) {
  console.log(`${f1(cu(gc, g, k))}${f1(cu(sc, s, k))}${f1(cu(gc, g, k) - cu(sc, s, k))}  ${k}`);
}
// and by component, the owners' classes sorted into the parts a request goes through (first match wins)
const CATEGORIES = [
  ['request entry: Reactor Netty server handle / Gripway DetachingHttpHandler', /^(reactor\.netty\.http\.server\.HttpServer\$HttpServerHandle|io\.gripway\.gateway\.DetachingHttpHandler)/],
  ['Gripway request-header timeout (io.gripway.server)', /^io\.gripway\.server\./],
  ["Gripway's other code (filters, Grip headers, metrics filter)", /^io\.gripway\./],
  ['X-Forwarded-* (XForwardedHeadersFilter)', /XForwardedHeadersFilter/],
  ["gateway's other header filters (hop-by-hop, gRPC, trusted proxies)", /^org\.springframework\.cloud\.gateway\.filter\.headers\./],
  ['request to the origin (NettyRoutingFilter, Reactor Netty client and pool)', /^(org\.springframework\.cloud\.gateway\.filter\.NettyRoutingFilter|reactor\.netty\.(http\.client|resources|internal\.shaded\.reactor\.pool)\.)/],
  ['idle and read timeouts (Reactor Netty / Netty handlers)', /(IdleTimeoutHandler|IdleStateHandler|ReadTimeoutHandler|ReactorNetty\$.*Timeout)/],
  ['Micrometer (meters, tags, observation predicates)', /^(io\.micrometer\.|org\.springframework\.boot\.micrometer\.)/],
  ['Netty HTTP codec (header encode / decode / validation)', /^io\.netty\.handler\.codec\./],
  ["WebFlux and the gateway's handler and other filters", /^org\.springframework\./],
  ['Netty / Reactor Netty channel, server, epoll', /^(io\.netty\.|reactor\.netty\.)/],
  ['other (JDK, Reactor, JVM)', /./],
];
const byCategory = (p) => { const m = new Map(); for (const [k, v] of p.owners) { const c = CATEGORIES.find(([, re]) => re.test(k))[0]; m.set(c, (m.get(c) || 0) + v); } return m; };
const gk = byCategory(g); const sk = byCategory(s);
console.log(`\nby component, µs CPU/request (owners as above), ${process.env.A || 'gripway'} − ${process.env.B || 'scg'}\n  ${(process.env.A || 'gripway').slice(0, 7).padStart(7)}    scg   diff  component`);
let tg = 0; let ts = 0;
for (const [c] of CATEGORIES) { const a = cu(gk, g, c); const b = cu(sk, s, c); tg += a; ts += b; console.log(`${f1(a)}${f1(b)}${f1(a - b)}  ${c}`); }
console.log(`${f1(tg)}${f1(ts)}${f1(tg - ts)}  total (= CPU per request measured)`);
for (const [name, p] of [['gripway', g], ['scg', s]]) {
  console.log(`\n${name}: top self methods, µs CPU/request`);
  for (const [m, n] of [...p.selfMethods.entries()].sort((a, b) => b[1] - a[1]).slice(0, 15)) console.log(`${f1(n * p.usPerSample)}  ${m}`);
}
})();
