import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import express from 'express';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accessLog } from '../../src/api/access-log.js';
import { createApiMetrics } from '../../src/metrics.js';

const lines: Array<Record<string, unknown>> = [];
const sink = new Writable({
  write(chunk, _enc, done) {
    lines.push(JSON.parse(String(chunk)));
    done();
  },
});
const metrics = createApiMetrics();
let base = '';
let close: () => void;

beforeAll(async () => {
  const app = express();
  app.use(accessLog(pino({ level: 'debug' }, sink), metrics));
  app.get('/things/:id', (req, res) => void res.status(req.params.id === 'missing' ? 404 : 200).json({}));
  app.get('/boom', () => {
    throw new Error('boom');
  });
  const server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  close = () => server.close();
});
afterAll(() => close());

const lineFor = async (id: string) => {
  for (let i = 0; i < 50 && !lines.some((l) => l.reqId === id); i++) await new Promise((r) => setTimeout(r, 10));
  return lines.find((l) => l.reqId === id)!;
};

describe('access log', () => {
  it("keeps a caller's x-request-id, makes one otherwise, and never writes headers", async () => {
    const kept = await fetch(`${base}/things/a`, { headers: { 'x-request-id': 'trace-1.2:3', authorization: 'Bearer sekret' } });
    expect(kept.headers.get('x-request-id')).toBe('trace-1.2:3');
    const made = await fetch(`${base}/things/a`, { headers: { 'x-request-id': 'not an id; {"x"}' } });
    expect(made.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const line = await lineFor('trace-1.2:3');
    expect(line).toMatchObject({ level: 20, method: 'GET', url: '/things/a', route: '/things/:id', statusCode: 200, msg: 'request completed' });
    expect(JSON.stringify(lines)).not.toContain('sekret');
  });

  it('writes 4xx at warn and 5xx at error, and times every request by route pattern and status', async () => {
    const missing = await fetch(`${base}/things/missing`);
    const boom = await fetch(`${base}/boom`);
    expect((await lineFor(missing.headers.get('x-request-id')!)).level).toBe(40);
    expect((await lineFor(boom.headers.get('x-request-id')!)).level).toBe(50);
    const text = await metrics.registry.metrics();
    expect(text).toContain('hookrelay_http_request_duration_seconds_count{method="GET",route="/things/:id",status="404"} 1');
    expect(text).not.toContain('route="/things/missing"');
  });
});
