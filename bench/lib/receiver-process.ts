// The benchmark's receiver, in a process of its own: answers 204 and reports [webhook-id, receipt ms] over IPC
// ([webhook-id, receipt ms, path] with RECEIVER_TRACK_PATHS=1, for a fan-out whose subscriptions differ by path).
import http from 'node:http';
import { performance } from 'node:perf_hooks';

const port = Number(process.env.RECEIVER_PORT);
const trackPaths = process.env.RECEIVER_TRACK_PATHS === '1';
let batch: Array<[string, number] | [string, number, string]> = [];
/** 'slow' holds each answer this long (a receiver that takes its time), so attempts stay in flight. */
let delayMs = 0;
const server = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    const answer = () => {
      // The sender gave up on this request meanwhile (its worker was killed): it never saw an answer and
      // will send again, so this one does not count as received.
      if (res.socket?.destroyed) return;
      const id = String(req.headers['webhook-id'] ?? '');
      const at = performance.timeOrigin + performance.now();
      batch.push(trackPaths ? [id, at, req.url ?? ''] : [id, at]);
      res.statusCode = 204;
      res.end();
    };
    if (delayMs > 0) setTimeout(answer, delayMs);
    else answer();
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

process.on('message', (msg: { cmd: string; ms?: number }) => {
  if (msg.cmd === 'slow') {
    delayMs = msg.ms ?? 0;
    return;
  }
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
