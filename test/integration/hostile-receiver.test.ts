// Whatever a receiver does on the wire (binary, NUL or invalid UTF-8 bodies, huge or malformed headers,
// 1xx, a body cut off, a reset after the status line, an endless chunked body, silence) ends in one
// recorded attempt per request it saw, the delivery in a final state, and no request after that state.
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ok } from '../support/api.js';
import { useStack } from '../support/use-stack.js';

const stack = useStack({ env: { RETRY_TIME_SCALE: '0.01' } });

type Behaviour =
  | { kind: 'respond'; statusLine: string; headers: Array<Buffer | 'huge'>; body: Buffer; framing: 'length' | 'chunked' | 'close' | 'short' }
  | { kind: 'informational'; first: number; status: number }
  | { kind: 'reset_after_status'; status: number }
  | { kind: 'endless_chunked' }
  | { kind: 'hang' }
  | { kind: 'close_at_once' }
  | { kind: 'garbage'; bytes: Buffer };

interface Seen {
  path: string;
  at: number;
}

/** A receiver on raw TCP, so it can answer what no HTTP server library would let it. */
class RawReceiver {
  readonly seen: Seen[] = [];
  private readonly behaviours = new Map<string, Behaviour>();
  private readonly sockets = new Set<net.Socket>();
  private server = net.createServer((socket) => this.serve(socket));
  url = '';

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  on(path: string, behaviour: Behaviour): void {
    this.behaviours.set(path, behaviour);
  }

  count(path: string): number {
    return this.seen.filter((s) => s.path === path).length;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private serve(socket: net.Socket): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => {});
    let buffered = Buffer.alloc(0);
    let answered = false;
    socket.on('data', (chunk: Buffer) => {
      if (answered) return;
      buffered = Buffer.concat([buffered, chunk]);
      const end = buffered.indexOf('\r\n\r\n');
      if (end < 0) return;
      const head = buffered.subarray(0, end).toString('latin1');
      const length = Number(/\r\ncontent-length:\s*(\d+)/i.exec(head)?.[1] ?? 0);
      if (buffered.length < end + 4 + length) return;
      answered = true;
      const path = head.split(' ')[1] ?? '/';
      this.seen.push({ path, at: Date.now() });
      this.answer(
        socket,
        this.behaviours.get(path) ?? {
          kind: 'respond',
          statusLine: 'HTTP/1.1 204 No Content',
          headers: [],
          body: Buffer.alloc(0),
          framing: 'length',
        },
      );
    });
  }

  private answer(socket: net.Socket, b: Behaviour): void {
    const crlf = '\r\n';
    switch (b.kind) {
      case 'respond': {
        const headers = Buffer.concat(b.headers.flatMap((h) => [h === 'huge' ? Buffer.from(`x-huge: ${'h'.repeat(70_000)}`) : h, Buffer.from(crlf)]));
        const framing =
          b.framing === 'length'
            ? `content-length: ${b.body.length}${crlf}`
            : b.framing === 'short'
              ? `content-length: ${b.body.length + 100}${crlf}`
              : b.framing === 'chunked'
                ? `transfer-encoding: chunked${crlf}`
                : '';
        const body =
          b.framing === 'chunked'
            ? Buffer.concat([Buffer.from(`${b.body.length.toString(16)}${crlf}`), b.body, Buffer.from(`${crlf}0${crlf}${crlf}`)])
            : b.body;
        socket.end(
          Buffer.concat([
            Buffer.from(`${b.statusLine}${crlf}`),
            headers,
            Buffer.from(`${framing}connection: close${crlf}${crlf}`),
            b.body.length ? body : Buffer.from(b.framing === 'chunked' ? `0${crlf}${crlf}` : ''),
          ]),
        );
        return;
      }
      case 'informational':
        socket.write(`HTTP/1.1 ${b.first} Info${crlf}link: </x>${crlf}${crlf}`);
        socket.end(`HTTP/1.1 ${b.status} X${crlf}content-length: 2${crlf}connection: close${crlf}${crlf}ok`);
        return;
      case 'reset_after_status':
        socket.write(`HTTP/1.1 ${b.status} X${crlf}content-length: 1000${crlf}${crlf}partial`, () => socket.resetAndDestroy());
        return;
      case 'endless_chunked': {
        socket.write(`HTTP/1.1 200 OK${crlf}transfer-encoding: chunked${crlf}${crlf}`);
        const chunk = Buffer.from(`400${crlf}${'x'.repeat(1024)}${crlf}`);
        const timer = setInterval(() => {
          if (!socket.destroyed) socket.write(chunk);
          else clearInterval(timer);
        }, 5);
        socket.on('close', () => clearInterval(timer));
        return;
      }
      case 'hang':
        return;
      case 'close_at_once':
        socket.destroy();
        return;
      case 'garbage':
        socket.end(b.bytes);
        return;
    }
  }
}

const bytes = (max: number) => fc.uint8Array({ maxLength: max }).map((a) => Buffer.from(a));
const status = fc.oneof(fc.integer({ min: 200, max: 299 }), fc.integer({ min: 300, max: 599 }), fc.constantFrom(200, 204, 410, 429, 503));
const headerLine = fc.oneof(
  fc
    .tuple(fc.stringMatching(/^[a-z][a-z0-9-]{0,20}$/), bytes(40))
    .filter(([name]) => !['content-length', 'transfer-encoding', 'connection'].includes(name))
    .map(([name, value]) => Buffer.concat([Buffer.from(`${name}: `), Buffer.from(value.map((c) => (c === 10 || c === 13 ? 32 : c)))])),
  fc.constantFrom(
    Buffer.from('retry-after: 999999999'),
    Buffer.from('retry-after: Wed, 21 Oct 2015 07:28:00 GMT'),
    Buffer.from('retry-after: -1'),
    'huge' as const,
    Buffer.from('no colon here'),
    Buffer.from('x-nul: a\0b'),
  ),
);
const body = fc.oneof(
  bytes(64),
  bytes(6000),
  fc.constantFrom(Buffer.from('ok\0'), Buffer.from([0xff, 0xfe, 0x00, 0xc3]), Buffer.from('é'.repeat(3000))),
);
const behaviour: fc.Arbitrary<Behaviour> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('respond' as const),
      statusLine: fc.oneof(
        status.map((s) => `HTTP/1.1 ${s} Whatever`),
        fc.constantFrom('HTTP/1.1 200', 'HTTP/1.0 200 OK', 'HTTP/1.1 2000 Big', 'HTTP/9.9 200 OK', 'NONSENSE', 'HTTP/1.1 099 Low'),
      ),
      headers: fc.array(headerLine, { maxLength: 4 }),
      body,
      framing: fc.constantFrom('length' as const, 'chunked' as const, 'close' as const, 'short' as const),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('informational' as const), first: fc.constantFrom(100, 102, 103), status }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('reset_after_status' as const), status }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'endless_chunked' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'hang' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'close_at_once' as const }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('garbage' as const), bytes: bytes(300) }) },
);

const raw = new RawReceiver();
beforeAll(() => raw.start());
afterAll(() => raw.close());

interface DeliveryState {
  subscription_id: string;
  status: string;
  completed_at: Date | null;
  attempts: number;
  recorded: number;
}

async function deliveriesOf(eventId: string, tenantId: string): Promise<DeliveryState[]> {
  const { rows } = await stack.pool.query<DeliveryState>(
    `SELECT d.subscription_id, d.status, d.completed_at, d.attempt_count AS attempts,
            (SELECT count(*)::int FROM attempts a WHERE a.delivery_id = d.id) AS recorded
     FROM deliveries d WHERE d.tenant_id = $1 AND d.event_id = $2`,
    [tenantId, eventId],
  );
  return rows;
}

describe('a hostile receiver', () => {
  it('answering 200 "ok\\0" with retry_policy none: one request, one attempt, delivered, the body kept exactly', async () => {
    const t = await stack.tenant();
    raw.on(`/nul/${t.id}`, { kind: 'respond', statusLine: 'HTTP/1.1 200 OK', headers: [], body: Buffer.from('ok\0'), framing: 'length' });
    await stack.api.subscribe(t.api_key, { url: `${raw.url}/nul/${t.id}`, retry_policy: 'none' });
    expect((await stack.deliver(t.id, `nul-${t.id}`)).outcome).toBe('succeeded');
    expect(raw.count(`/nul/${t.id}`)).toBe(1);
    const api = stack.api.as(t.api_key);
    const [delivery] = (await ok(api.GET('/v1/deliveries', { params: { query: { event_id: `nul-${t.id}` } } }))).data;
    const read = await ok(api.GET('/v1/deliveries/{id}', { params: { path: { id: delivery!.id } } }));
    expect(read.attempts).toMatchObject([
      { number: 1, status_code: 200, response_body: 'ok\uFFFD', response_body_base64: Buffer.from('ok\0').toString('base64') },
    ]);
  });

  it('an answer that is valid text keeps response_body_base64 null', async () => {
    const t = await stack.tenant();
    raw.on(`/text/${t.id}`, { kind: 'respond', statusLine: 'HTTP/1.1 503 No', headers: [], body: Buffer.from('é'.repeat(3000)), framing: 'length' });
    await stack.api.subscribe(t.api_key, { url: `${raw.url}/text/${t.id}`, retry_policy: 'none' });
    expect((await stack.deliver(t.id, `text-${t.id}`)).outcome).toBe('failed');
    const api = stack.api.as(t.api_key);
    const [delivery] = (await ok(api.GET('/v1/deliveries', { params: { query: { event_id: `text-${t.id}` } } }))).data;
    const [attempt] = (await ok(api.GET('/v1/deliveries/{id}', { params: { path: { id: delivery!.id } } }))).attempts;
    // 4,096 bytes hold 2,048 two-byte characters: the prefix is cut at a character boundary.
    expect(attempt).toMatchObject({ status_code: 503, response_body: 'é'.repeat(2048), response_body_base64: null });
  });

  it('random behaviours on the wire: every delivery ends, one attempt per request seen, none after the end (property)', async () => {
    let round = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(behaviour, { minLength: 8, maxLength: 12 }), async (behaviours) => {
        const t = await stack.tenant(`hostile-${round}`);
        const eventId = `hostile-${round++}`;
        const paths = behaviours.map((b, i) => {
          const path = `/fuzz/${t.id}/${i}`;
          raw.on(path, b);
          return path;
        });
        const subs = await Promise.all(
          paths.map((path) =>
            stack.api.subscribe(t.api_key, {
              // Its own type only: the failure notifications of this event's deliveries go elsewhere.
              url: `${raw.url}${path}`,
              timeout_ms: 1000,
              event_types: ['hostile.fuzz'],
              retry_policy: { initial_interval: '1s', backoff_coefficient: 2, maximum_interval: '10s', maximum_attempts: 3 },
            }),
          ),
        );
        await stack.deliver(t.id, eventId, { type: 'hostile.fuzz' });
        const states = await deliveriesOf(eventId, t.id);
        expect(states).toHaveLength(paths.length);
        for (const [i, sub] of subs.entries()) {
          const state = states.find((s) => s.subscription_id === sub.id)!;
          const context = `${paths[i]}: ${JSON.stringify(behaviours[i], (_k, v: unknown) => (v instanceof Object && 'type' in v && v.type === 'Buffer' ? '<bytes>' : v))}`;
          expect(['succeeded', 'failed'], context).toContain(state.status);
          expect(state.recorded, context).toBe(raw.count(paths[i]!));
          expect(state.attempts, context).toBe(state.recorded);
          for (const seen of raw.seen.filter((s) => s.path === paths[i])) expect(seen.at, context).toBeLessThanOrEqual(state.completed_at!.getTime());
        }
      }),
      { numRuns: 4, seed: Number(process.env.FUZZ_SEED ?? 20261204), endOnFailure: true },
    );
  }, 240_000);
});

describe('a record the database will not take', () => {
  it('ends the delivery failed, saying why, with one request sent: never a resend loop', async () => {
    const t = await stack.tenant();
    raw.on(`/unrecorded/${t.id}`, { kind: 'respond', statusLine: 'HTTP/1.1 503 No', headers: [], body: Buffer.from('no'), framing: 'length' });
    const sub = await stack.api.subscribe(t.api_key, { url: `${raw.url}/unrecorded/${t.id}`, retry_policy: 'default', event_types: ['a.b'] });
    // Refuses every attempt of this subscription's deliveries, as a database that lost its disk would.
    await stack.pool.query(`
      CREATE FUNCTION refuse_attempt() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF EXISTS (SELECT 1 FROM deliveries WHERE id = NEW.delivery_id AND subscription_id = '${sub.id}') THEN
          RAISE EXCEPTION 'disk full' USING ERRCODE = '53100';
        END IF;
        RETURN NEW;
      END $$;
      CREATE TRIGGER refuse_attempt BEFORE INSERT ON attempts FOR EACH ROW EXECUTE FUNCTION refuse_attempt();`);
    try {
      const result = await stack.deliver(t.id, `unrecorded-${t.id}`);
      expect(result.outcome).toBe('failed');
      expect(raw.count(`/unrecorded/${t.id}`)).toBe(1);
      const [state] = await deliveriesOf(`unrecorded-${t.id}`, t.id);
      expect(state).toMatchObject({ status: 'failed', recorded: 0 });
      const { rows } = await stack.pool.query<{ last_error: string }>(
        'SELECT last_error FROM deliveries WHERE subscription_id = $1 AND event_id = $2',
        [sub.id, `unrecorded-${t.id}`],
      );
      expect(rows[0]!.last_error).toMatch(/attempt 1 was sent \(HTTP 503 .*\) but could not be recorded \(disk full\); it is not sent again/);
    } finally {
      await stack.pool.query('DROP TRIGGER refuse_attempt ON attempts; DROP FUNCTION refuse_attempt()');
    }
  }, 60_000);
});
