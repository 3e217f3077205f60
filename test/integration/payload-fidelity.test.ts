// The receiver gets exactly the posted payload JSON (after the renames field_map asks for),
// whatever its keys are called: `constructor`, `toString` and `__proto__` are ordinary keys end to end.
import { eventWorkflowId } from '../../src/domain/workflow-ids.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../support/stack.js';
import { startReceiver, type Receiver } from '../support/receiver.js';

let stack: Stack;
let receiver: Receiver;
let tenant: { id: string; api_key: string };

beforeAll(async () => {
  [stack, receiver] = await Promise.all([startStack(), startReceiver()]);
  tenant = await stack.api.createTenant(stack.adminToken, 'fidelity');
  await stack.api.subscribe(tenant.api_key, { url: `${receiver.url}/plain`, event_types: ['fidelity.*'] });
  const mapped = await stack.api.subscribe(tenant.api_key, { url: `${receiver.url}/mapped`, event_types: ['fidelity.*'], field_map: { a: 'b' } });
  expect(mapped.field_map).toEqual({ a: 'b' });
});
afterAll(async () => {
  await stack?.stop();
  await receiver?.close();
});

/** Posts the event as raw JSON text, so the payload's keys reach the API exactly as written. */
async function post(id: string, payloadJson: string) {
  const body = `{"id":"${id}","tenant_id":"${tenant.id}","environment":"production","type":"fidelity.checked","payload":${payloadJson}}`;
  const res = await stack.api.call('POST', '/v1/events', stack.adminToken, body);
  expect(res.status).toBe(202);
  expect((await stack.settle(tenant.id, id)).outcome).toBe('succeeded');
}

const bodyOf = (path: string, eventId: string) => receiver.forPath(path).find((r) => r.headers['webhook-id'] === eventId)?.body;

describe('payload fidelity', () => {
  it('keys named like Object.prototype members are delivered as posted, and renamed only by field_map', async () => {
    await post('fid-prototype-names', '{"a":1,"constructor":"c","toString":"t"}');
    expect(bodyOf('/plain', 'fid-prototype-names')).toBe('{"a":1,"constructor":"c","toString":"t"}');
    expect(bodyOf('/mapped', 'fid-prototype-names')).toBe('{"b":1,"constructor":"c","toString":"t"}');
  });

  it('a "__proto__" key survives the event row, the workflow input and the request body (workflow started directly)', async () => {
    // The delivery path alone, without the API's validation: the event as a producer's JSON.parse makes it.
    const payload = JSON.parse('{"__proto__":{"x":1},"a":1,"data_of":"p"}') as Record<string, unknown>;
    const eventId = 'fid-proto-direct';
    await stack.temporal.client.workflow.start('eventWorkflow', {
      taskQueue: stack.config.taskQueue,
      workflowId: eventWorkflowId(tenant.id, eventId),
      args: [{ tenantId: tenant.id, eventId, environment: 'production', type: 'fidelity.checked', payload }],
    });
    expect((await stack.settle(tenant.id, eventId)).outcome).toBe('succeeded');
    expect(bodyOf('/plain', eventId)).toBe('{"__proto__":{"x":1},"a":1,"data_of":"p"}');
    expect(bodyOf('/mapped', eventId)).toBe('{"__proto__":{"x":1},"b":1,"data_of":"p"}');
    const { rows } = await stack.pool.query<{ payload: string }>('SELECT payload::text AS payload FROM events WHERE tenant_id = $1 AND id = $2', [
      tenant.id,
      eventId,
    ]);
    expect(rows[0]!.payload).toBe('{"__proto__":{"x":1},"a":1,"data_of":"p"}');
  });

  it('a "__proto__" key posted through the API is delivered as posted', async () => {
    await post('fid-proto-api', '{"__proto__":{"x":1},"a":1}');
    expect(bodyOf('/plain', 'fid-proto-api')).toBe('{"__proto__":{"x":1},"a":1}');
    expect(bodyOf('/mapped', 'fid-proto-api')).toBe('{"__proto__":{"x":1},"b":1}');
  });
});
