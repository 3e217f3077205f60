// The benchmark's receiver, in a process of its own: answers 204 and reports [webhook-id, receipt ms] over IPC.
import http from 'node:http';
import { performance } from 'node:perf_hooks';

const port = Number(process.env.RECEIVER_PORT);
let batch: Array<[string, number]> = [];
const server = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    batch.push([String(req.headers['webhook-id'] ?? ''), performance.timeOrigin + performance.now()]);
    res.statusCode = 204;
    res.end();
  });
});
server.keepAliveTimeout = 60_000;

function listen() {
  server.listen(port, '127.0.0.1', () => process.send!({ type: 'up' }));
}

setInterval(() => {
  if (batch.length === 0) return;
  process.send!({ type: 'received', batch });
  batch = [];
}, 50);

process.on('message', (msg: { cmd: string }) => {
  // 'down' refuses connections (the server stops listening), like a receiver that is really down.
  if (msg.cmd === 'down') {
    server.close(() => process.send!({ type: 'down' }));
    server.closeAllConnections();
  } else if (msg.cmd === 'up') {
    listen();
  }
});
process.on('disconnect', () => process.exit(0));
listen();
