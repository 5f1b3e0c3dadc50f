'use strict';
// The machine's floor for scenario B, with no proxy at all: one process writes one SSE-sized event to each of N
// loopback sockets, as a proxy fanning out one publish must, and another process reads them. Prints the writer's CPU
// (user and kernel) per round and the wall time until the reader has every event.
//
//   node bench/floor.js [N=10000] [ROUNDS=5]
//   FLOOR_PORT=32204 FLOOR_JSON=out.json node bench/floor.js 10000 3   # a fixed port; the rounds also as JSON
//
// Loopback only; N connections at most (keep N below the open-file limit), ROUNDS rounds, 60 s at most.
const fs = require('fs');
const net = require('net');
const { fork } = require('child_process');

if (process.argv[2] === 'reader') {
  const [port, n] = [Number(process.argv[3]), Number(process.argv[4])];
  let open = 0;
  let received = 0;
  let target = 0;
  let started = 0;
  // 200 connections at a time, so the listen backlog never overflows
  const connectSome = () => {
    for (let k = 0; k < 200 && started < n; k++, started++) {
      const socket = net.connect(port, '127.0.0.1', () => { if (++open === n) process.send({ ready: true }); });
      socket.on('data', () => { if (++received === target) process.send({ done: true, cpu: process.cpuUsage() }); });
      socket.on('error', (e) => { console.error('floor.js reader:', e.message); process.exit(1); });
    }
    if (started < n) setTimeout(connectSome, 10);
  };
  connectSome();
  process.on('message', (m) => { if (m.expect) target = m.expect; });
  process.on('disconnect', () => process.exit(0));
} else {
  const n = Number(process.argv[2] || 10000);
  const rounds = Number(process.argv[3] || 5);
  const sockets = [];
  const results = [];
  const server = net.createServer((socket) => { socket.setNoDelay(true); sockets.push(socket); });
  server.maxConnections = n;
  let reader;
  const watchdog = setTimeout(() => {
    console.error('floor.js: gave up after 60 s');
    if (reader) reader.kill();
    process.exit(1);
  }, 60000);
  server.listen(Number(process.env.FLOOR_PORT || 0), '127.0.0.1', () => {
    reader = fork(__filename, ['reader', server.address().port, n]);
    let round = 0;
    let start = 0;
    let cpuBefore;
    let readerCpuBefore = { user: 0, system: 0 };
    const next = () => {
      if (++round > rounds) {
        if (process.env.FLOOR_JSON) fs.writeFileSync(process.env.FLOOR_JSON, JSON.stringify({ n, rounds: results }, null, 1));
        reader.kill(); clearTimeout(watchdog); server.close(); sockets.forEach((s) => s.destroy()); return;
      }
      reader.send({ expect: n * round });
      setTimeout(() => {
        start = process.hrtime.bigint();
        cpuBefore = process.cpuUsage();
        for (const socket of sockets) socket.write(`data: ~${round}\n\n`);
      }, 200);
    };
    reader.on('message', (m) => {
      if (m.ready) { next(); return; }
      const wallMs = Number(process.hrtime.bigint() - start) / 1e6;
      const cpu = process.cpuUsage(cpuBefore);
      const readerMs = (m.cpu.user + m.cpu.system - readerCpuBefore.user - readerCpuBefore.system) / 1000;
      readerCpuBefore = m.cpu;
      results.push({ last_event_ms: Number(wallMs.toFixed(1)), writer_user_ms: Number((cpu.user / 1000).toFixed(1)),
        writer_kernel_ms: Number((cpu.system / 1000).toFixed(1)), reader_cpu_ms: Number(readerMs.toFixed(1)) });
      console.log(`round ${round}: ${n} writes, writer cpu ${(cpu.user / 1000).toFixed(1)} ms user + ${(cpu.system / 1000).toFixed(1)} ms kernel,`
        + ` reader cpu ${readerMs.toFixed(1)} ms, last event read after ${wallMs.toFixed(1)} ms`);
      next();
    });
  });
}
