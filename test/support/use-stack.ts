// The fixture of an integration test file: a stack and a receiver started in beforeAll and stopped in
// afterAll, plus what the tests of a stack do again and again (a tenant, an event posted and settled,
// the attempts it made).
import { afterAll, beforeAll, expect } from 'vitest';
import type { RequestBody, Schemas } from '../../src/client/index.js';
import type { EventWorkflowResult } from '../../src/workflows/event-workflow.js';
import { startReceiver, type Receiver } from './receiver.js';
import { startStack, type Stack, type StackOptions } from './stack.js';

export interface EventFields {
  type?: string;
  payload?: RequestBody<'postEvent'>['payload'];
  environment?: 'production' | 'sandbox';
}

export interface AttemptRow {
  number: number;
  status_code: number | null;
  error_class: string | null;
  error_message: string | null;
  duration_ms: number;
  started_at: Date;
  body_length: number | null;
}

export interface StackFixture extends Stack {
  /** A local receiver, started with the stack. */
  receiver: Receiver;
  /** A new tenant (its id and API key). */
  tenant(name?: string): Promise<Schemas['TenantCreated']>;
  /**
   * Posts an event of the tenant with the admin token and expects 202. Defaults: type `a.b`,
   * payload `{}`, environment `production`.
   */
  postEvent(tenantId: string, eventId: string, fields?: EventFields): Promise<{ id: string; workflow_id: string }>;
  /** postEvent, then the event workflow's result. */
  deliver(tenantId: string, eventId: string, fields?: EventFields): Promise<EventWorkflowResult>;
  /** The recorded attempts of an event's deliveries, in attempt order. */
  attempts(eventId: string): Promise<AttemptRow[]>;
}

/** Read through before beforeAll has run: a clear error, not `undefined` three calls later. */
function late<T extends object>(what: string): { value: T; set(value: T): void } {
  let current: T | undefined;
  const value = new Proxy({} as T, {
    get(_target, key) {
      if (!current) throw new Error(`${what} is not started yet: use it inside a test or a hook`);
      const found = Reflect.get(current, key, current) as unknown;
      return typeof found === 'function' ? found.bind(current) : found;
    },
  });
  return {
    value,
    set: (v) => {
      current = v;
    },
  };
}

/** A receiver alone, started in beforeAll and closed in afterAll. */
export function useReceiver(): Receiver {
  const receiver = late<Receiver>('the receiver');
  let listening: Receiver | undefined;
  beforeAll(async () => {
    receiver.set((listening = await startReceiver()));
  });
  afterAll(async () => listening?.close());
  return receiver.value;
}

/**
 * Registers the beforeAll that starts a stack (with `options`) and a receiver, and the afterAll that
 * stops them; returns the fixture, usable inside tests and hooks.
 */
export function useStack(options: StackOptions = {}): StackFixture {
  return useStacks(options)[0];
}

/** Several stacks (e.g. with other settings) for one file, started side by side in one beforeAll. */
export function useStacks<T extends StackOptions[]>(...all: T): { [K in keyof T]: StackFixture } {
  const slots = all.map(() => ({ stack: late<Stack>('the stack'), receiver: late<Receiver>('the receiver') }));
  const running: Array<Stack | Receiver> = [];
  beforeAll(async () => {
    await Promise.all(
      all.map(async (options, i) => {
        const [stack, receiver] = await Promise.all([startStack(options), startReceiver()]);
        running.push(stack, receiver);
        slots[i]!.stack.set(stack);
        slots[i]!.receiver.set(receiver);
      }),
    );
  });
  afterAll(async () => {
    await Promise.all(running.map((one) => ('stop' in one ? one.stop() : one.close())));
  });
  return slots.map(({ stack, receiver }) => fixtureOf(stack.value, receiver.value)) as { [K in keyof T]: StackFixture };
}

function fixtureOf(stack: Stack, receiver: Receiver): StackFixture {
  const fixture: Omit<StackFixture, keyof Stack> = {
    receiver,
    tenant: (name) => stack.api.createTenant(stack.adminToken, name),
    async postEvent(tenantId, eventId, fields = {}) {
      const res = await stack.api.postEvent(stack.adminToken, {
        id: eventId,
        tenant_id: tenantId,
        environment: fields.environment ?? 'production',
        type: fields.type ?? 'a.b',
        payload: fields.payload ?? {},
      });
      expect(res.status, JSON.stringify(res.body)).toBe(202);
      return res.body;
    },
    async deliver(tenantId, eventId, fields) {
      await fixture.postEvent(tenantId, eventId, fields);
      return stack.settle(tenantId, eventId);
    },
    async attempts(eventId) {
      const { rows } = await stack.pool.query<AttemptRow>(
        `SELECT a.number, a.status_code, a.error_class, a.error_message, a.duration_ms, a.started_at, length(a.response_body) AS body_length
         FROM attempts a JOIN deliveries d ON d.id = a.delivery_id WHERE d.event_id = $1 ORDER BY a.number`,
        [eventId],
      );
      return rows;
    },
  };
  // The fixture's members, then the stack's own (api, pool, settle, …).
  return new Proxy(fixture as StackFixture, {
    get(target, key) {
      return key in target ? Reflect.get(target, key) : Reflect.get(stack, key);
    },
  });
}
