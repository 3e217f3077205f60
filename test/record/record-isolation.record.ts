// Records the replay histories of the isolation paths (docs/isolation.md) under test/histories:
// `npx vitest run --config vitest.record.config.ts test/record/record-isolation.record.ts`.
import path from 'node:path';
import { it } from 'vitest';
import { eventWorkflowId } from '../../src/domain/workflow-ids.js';
import { eventually } from '../support/eventually.js';
import { useStack } from '../support/use-stack.js';
import { historySaver } from './history-saver.js';

const dir = path.resolve(import.meta.dirname, '../histories');
// Retries and the circuit's cool-down scaled down; first attempts wait at most 1 s in the workflow task;
// slices of 1 delivery, so a fan-out of five subscriptions takes the path of one of thousands (more slices
// than SLICES_AT_ONCE: the fifth starts when one of the first four ends).
const stack = useStack({ env: { RETRY_TIME_SCALE: '0.02', INLINE_ATTEMPT_LIMIT: '1s', FAN_OUT_SLICE: '1' } });
const { receiver } = stack;
const save = historySaver(stack, dir);

it('records the isolation paths', async () => {
  const t = await stack.api.createTenant(stack.adminToken, 'isolation-recorder');
  const sub = (p: string, body: Record<string, unknown> = {}) => stack.api.subscribe(t.api_key, { url: `${receiver.url}${p}`, ...body });

  // 1. A first attempt slower than the inline limit: left running, its outcome taken by the next deliver.
  receiver.on('/slow', () => new Promise((resolve) => setTimeout(() => resolve({ status: 204 }), 2_000)));
  await sub('/slow', { event_types: ['slow.*'] });
  await stack.postEvent(t.id, 'rec-in-flight', { type: 'slow.answer' });
  await save('event.first-attempt-in-flight', eventWorkflowId(t.id, 'rec-in-flight'));

  // 2. The bulkhead: max_in_flight 1 and a held answer; the second event's first attempt waits on a named timer.
  let release: () => void = () => {};
  const held = new Promise<void>((resolve) => (release = resolve));
  receiver.on('/bulkhead', async (_r, n) => {
    if (n === 1) await held;
    return { status: 204 };
  });
  await sub('/bulkhead', { event_types: ['bulk.*'], max_in_flight: 1 });
  await stack.postEvent(t.id, 'rec-bulkhead-1', { type: 'bulk.one' });
  await receiver.waitFor('/bulkhead', 1);
  await stack.postEvent(t.id, 'rec-bulkhead-2', { type: 'bulk.two' });
  await eventually(
    async () =>
      (await stack.pool.query(`SELECT 1 FROM flow_waiters w JOIN deliveries d ON d.id = w.delivery_id WHERE d.event_id = 'rec-bulkhead-2'`))
        .rowCount === 1,
  );
  release();
  await save('event.first-attempt-waits-for-slot', eventWorkflowId(t.id, 'rec-bulkhead-2'));

  // 3. The circuit: 503 until it opens, retries refused while open (NotAdmitted), then the probe succeeds.
  let up = false;
  receiver.on('/circuit', () => ({ status: up ? 204 : 503 }));
  const circuit = await sub('/circuit', {
    event_types: ['circuit.*'],
    retry_policy: { initial_interval: '1s', backoff_coefficient: 1, maximum_attempts: 50 },
  });
  await stack.postEvent(t.id, 'rec-circuit', { type: 'circuit.tripped' });
  await eventually(async () => (await stack.api.call('GET', `/v1/subscriptions/${circuit.id}`, t.api_key)).body.circuit.state === 'open', {
    timeoutMs: 30_000,
  });
  up = true;
  await save('event.circuit-open-then-probe', eventWorkflowId(t.id, 'rec-circuit'));

  // 4. A fan-out larger than a slice: the event's workflow starts a child per slice and sums their counts.
  for (const p of ['/fan-1', '/fan-2', '/fan-3', '/fan-4', '/fan-5']) await sub(p, { event_types: ['fan.*'] });
  await stack.postEvent(t.id, 'rec-fan-out', { type: 'fan.out' });
  const fanOut = eventWorkflowId(t.id, 'rec-fan-out');
  await save('event.fan-out-in-slices', fanOut);
  await save('slice.deliveries', `${fanOut}/slice/0`);
});
