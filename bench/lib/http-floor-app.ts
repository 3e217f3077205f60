// The machine's HTTP ceiling for ingest: a bare Express app that parses the same JSON bodies and
// answers 202, nothing else. Run as its own process by the bench; prints its port when listening.
import express from 'express';

const app = express();
app.disable('x-powered-by');
app.use(express.json({ limit: '16mb' }));
app.post('/v1/events', (_req, res) => {
  res.status(202).json({ id: 'x', workflow_id: 'x' });
});
app.post('/v1/events/batch', (_req, res) => {
  res.status(202).json({ data: [] });
});
const server = app.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  const address = server.address();
  process.send?.({ port: typeof address === 'object' && address ? address.port : 0 });
});
