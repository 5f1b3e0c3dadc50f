'use strict';
// Scenario B against the machine's floor measured in the same invocation: for each B size, the proxy's p99 (median of
// the harness's repeats, with min-max) over the floor's "last event read" (median of its rounds, with min-max).
//
//   node bench/floor-ratio.js <proxy result .json> <floor-N.json>...
const fs = require('fs');

const [resultFile, ...floorFiles] = process.argv.slice(2);
const B = JSON.parse(fs.readFileSync(resultFile, 'utf8')).scenarios?.B;
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
const spread = (xs) => `${median(xs).toFixed(1)} [${Math.min(...xs).toFixed(1)}-${Math.max(...xs).toFixed(1)}]`;
for (const file of floorFiles) {
  const floor = JSON.parse(fs.readFileSync(file, 'utf8'));
  const runs = (B?.runs || []).filter((r) => r.n === floor.n && r.p99_ms != null);
  const lastMs = floor.rounds.map((r) => r.last_event_ms);
  const writerMs = floor.rounds.map((r) => r.writer_user_ms + r.writer_kernel_ms);
  if (!runs.length || !lastMs.length) { console.log(`B N=${floor.n}: no B runs or no floor rounds to compare`); continue; }
  const p50 = runs.map((r) => r.p50_ms);
  const p99 = runs.map((r) => r.p99_ms);
  const ratios = p99.map((p) => p / median(lastMs));
  console.log(`B N=${floor.n}: p50 ${spread(p50)} ms, p99 ${spread(p99)} ms; floor (last event read, ${lastMs.length} rounds) `
    + `${spread(lastMs)} ms, writer cpu ${spread(writerMs)} ms; p99 / floor ${median(ratios).toFixed(2)} `
    + `[${Math.min(...ratios).toFixed(2)}-${Math.max(...ratios).toFixed(2)}]`);
}
