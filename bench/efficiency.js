'use strict';
// The proxies' CPU per unit of work, from the harness's result files: what the throughput ratios hide on a 2-core
// machine where the harness's client, the origin and the proxy share the cores. A closed-loop run (C) or a wrk run (D)
// delivers whatever the proxy's share of the cores allows, so its rate swings with how the scheduler splits them; the
// CPU the proxy spent per delivered message, per request or per established connection does not.
//
//   node bench/efficiency.js bench/results/<run>/pushpin-*.json bench/results/<run>/gripway-*.json
//
// Prints, per scenario and variant, each proxy's median [min-max] over the repeats, and the ratio second / first.
const fs = require('fs');

const [firstPath, secondPath] = process.argv.slice(2);
if (!firstPath || !secondPath) {
  console.error('usage: node bench/efficiency.js <first.json> <second.json>');
  process.exit(2);
}
const load = (p) => JSON.parse(fs.readFileSync(p, 'utf8'));
const first = load(firstPath);
const second = load(secondPath);

const median = (xs) => {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (!s.length) return null;
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const agg = (xs) => {
  const s = xs.filter((x) => Number.isFinite(x));
  return s.length ? { median: median(s), min: Math.min(...s), max: Math.max(...s), n: s.length } : null;
};
const fmt = (a, digits = 1) => (a ? `${a.median.toFixed(digits)} [${a.min.toFixed(digits)}–${a.max.toFixed(digits)}]` : '-');

// one row per measure: [label, unit, runs -> values]
function measures(result) {
  const rows = {};
  const add = (key, value) => { (rows[key] = rows[key] || []).push(value); };
  const C = result.scenarios?.C;
  for (const r of C?.runs || []) {
    const cpu = r.cpu_publish_window?.proxy_cpu_pct;
    const rate = r.delivered_in_window_per_s;
    if (cpu && rate) add(`C ${r.variant}: proxy CPU µs per delivered message`, (cpu / 100) * 1e6 / rate);
    if (r.cpu_publish_window?.client_cpu_pct !== undefined) add(`C ${r.variant}: harness client CPU % (same cores)`, r.cpu_publish_window.client_cpu_pct);
    if (r.cpu_publish_window?.machine_busy_pct !== undefined) add(`C ${r.variant}: machine busy % (of 200)`, r.cpu_publish_window.machine_busy_pct);
  }
  const D = result.scenarios?.D;
  for (const r of D?.runs || []) {
    if (r.target === 'proxy' && r.cpu?.proxy_cpu_pct && r.req_per_s) add('D: proxy CPU µs per request', (r.cpu.proxy_cpu_pct / 100) * 1e6 / r.req_per_s);
  }
  const A = result.scenarios?.A;
  for (const r of A?.runs || []) {
    const cpu = r.establish_cpu?.proxy_cpu_pct;
    if (cpu && r.establish_s && r.established) add(`A ${r.mode} ${r.n}: proxy CPU µs per connection established`, (cpu / 100) * r.establish_s * 1e6 / r.established);
  }
  return rows;
}

const a = measures(first);
const b = measures(second);
const name = (r, p) => r.meta?.name || r.meta?.bench_name || p;
console.log(`CPU per unit of work: ${name(first, firstPath)} (first) vs ${name(second, secondPath)} (second); median [min–max] over repeats`);
const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
const width = Math.max(...keys.map((k) => k.length));
console.log(`${'measure'.padEnd(width)}  ${'first'.padEnd(24)}  ${'second'.padEnd(24)}  second/first`);
for (const k of keys) {
  const x = agg(a[k] || []);
  const y = agg(b[k] || []);
  const ratio = x && y ? (y.median / x.median).toFixed(2) : '-';
  console.log(`${k.padEnd(width)}  ${fmt(x).padEnd(24)}  ${fmt(y).padEnd(24)}  ${ratio}`);
}
