import { describe, expect, it } from 'vitest';
import { deliveryWaiting, type WaitingFacts } from '../../src/domain/delivery-waiting.js';
import { isMaskedHeader } from '../../src/delivery/request-headers.js';

const pending: WaitingFacts = {
  status: 'pending',
  flow_waiting: null,
  slot_at: null,
  attempt_count: 0,
  last_attempt_end: null,
  attempting: false,
  gate_reason: null,
  circuit_open_until: null,
  lane_head: null,
};
const at = new Date('2026-01-01T00:00:00.000Z');
const delay = (n: number) => 1000 * 2 ** (n - 1);

describe('why a pending delivery waits', () => {
  it('an ended delivery does not wait', () => {
    expect(deliveryWaiting({ ...pending, status: 'succeeded', attempting: true }, delay)).toBeNull();
  });

  it('no attempt and nothing holding it: scheduled', () => {
    expect(deliveryWaiting(pending, delay)).toEqual({ reason: 'scheduled', until: null, behind_delivery_id: null });
  });

  it('after failed attempts: the policy’s delay after the last one ended', () => {
    expect(deliveryWaiting({ ...pending, attempt_count: 3, last_attempt_end: at }, delay)?.until).toBe('2026-01-01T00:00:04.000Z');
  });

  it('in order: an attempt in flight, the FIFO lane, the rate-limit slot, the gate, then the backoff', () => {
    const all: WaitingFacts = {
      ...pending,
      attempting: true,
      flow_waiting: 'fifo',
      lane_head: 'dlv_head',
      attempt_count: 1,
      last_attempt_end: at,
      gate_reason: 'circuit_open',
      circuit_open_until: at,
    };
    expect(deliveryWaiting(all, delay)?.reason).toBe('attempting');
    expect(deliveryWaiting({ ...all, attempting: false }, delay)).toEqual({ reason: 'fifo', until: null, behind_delivery_id: 'dlv_head' });
    expect(deliveryWaiting({ ...all, attempting: false, flow_waiting: 'rate_limit', slot_at: at }, delay)).toEqual({
      reason: 'rate_limit',
      until: at.toISOString(),
      behind_delivery_id: null,
    });
    expect(deliveryWaiting({ ...all, attempting: false, flow_waiting: null }, delay)?.until).toBe(at.toISOString());
    expect(deliveryWaiting({ ...all, attempting: false, flow_waiting: null, gate_reason: 'in_flight' }, delay)).toEqual({
      reason: 'in_flight',
      until: null,
      behind_delivery_id: null,
    });
  });
});

describe('masked request headers', () => {
  it.each(['authorization', 'Proxy-Authorization', 'x-api-key', 'X-Auth-Token', 'cookie', 'x-client-secret', 'webhook-signature', 'x-password'])(
    '%s is masked',
    (name) => expect(isMaskedHeader(name)).toBe(true),
  );
  it.each(['x-team', 'content-type', 'webhook-id', 'user-agent', 'x-hookrelay-attempt'])('%s is shown', (name) =>
    expect(isMaskedHeader(name)).toBe(false),
  );
});

describe('a payload laid out for reading', () => {
  it('changes only whitespace between tokens: numbers, escapes and key order stay as sent', async () => {
    const { formatJsonText } = await import('../../src/portal/client/json-text.js');
    const text = '{"z":1.50,"big":12345678901234567890, "s":"a, \\"{b}\\" : c","e":[],"o":{ },"a":[1,{"k":-0.0}]}';
    const out = formatJsonText(text);
    expect(out).toBe(
      '{\n  "z": 1.50,\n  "big": 12345678901234567890,\n  "s": "a, \\"{b}\\" : c",\n  "e": [],\n  "o": {},\n  "a": [\n    1,\n    {\n      "k": -0.0\n    }\n  ]\n}',
    );
    expect(formatJsonText('{"cut":')).toBe('{"cut":');
  });
});
