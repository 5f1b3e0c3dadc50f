// A WebSocket-over-HTTP origin written with the official GRIP library, @fanoutio/grip, as an application would:
// it accepts each connection, subscribes it to channel "js-ws" and echoes every message with "echo: ".
// Usage: node js-grip-ws-origin.mjs <modules dir>; prints "listening <port>" once it listens on 127.0.0.1.
import http from 'node:http';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const [modules] = process.argv.slice(2);
const grip = await import(pathToFileURL(path.join(modules, '@fanoutio', 'grip', 'build', 'index.js')).href);

const server = http.createServer(async (req, res) => {
  const chunks = [];
  for await (const chunk of req) {
    chunks.push(chunk);
  }
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    headers.set(name, Array.isArray(value) ? value.join(', ') : value);
  }
  const request = new Request('http://origin' + req.url, { method: req.method, headers, body: Buffer.concat(chunks) });
  if (!grip.isWsOverHttp(request)) {
    res.writeHead(400, { 'Content-Type': 'text/plain' });
    res.end('not WebSocket-over-HTTP\n');
    return;
  }
  const ws = await grip.getWebSocketContextFromReq(request);
  if (ws.isOpening()) {
    ws.accept();
    ws.subscribe('js-ws');
  }
  while (ws.canRecv()) {
    const message = ws.recv();
    if (message == null) {
      ws.close();
      break;
    }
    ws.send('echo: ' + message);
  }
  res.writeHead(200, ws.toHeaders());
  res.end(Buffer.from(grip.encodeWebSocketEvents(ws.getOutgoingEvents())));
});
server.listen(0, '127.0.0.1', () => console.log('listening ' + server.address().port));
