// A payload reaches the receiver byte for byte as posted when no
// field_map applies, `__proto__` and other Object.prototype names included (the API no longer rebuilds it).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../support/stack.js';
import { startReceiver, type Receiver } from '../support/receiver.js';

let stack: Stack;
let receiver: Receiver;

beforeAll(async () => {
  [stack, receiver] = await Promise.all([startStack(), startReceiver()]);
});
afterAll(async () => {
  await stack?.stop();
  await receiver?.close();
});

describe('a payload end to end', () => {
  it('is delivered exactly as posted, with keys named __proto__, constructor and toString', async () => {
    const t = await stack.api.createTenant(stack.adminToken);
    await stack.api.subscribe(t.api_key, { url: `${receiver.url}/as-posted`, retry_policy: 'none' });
    const payload = '{"z":1,"__proto__":{"admin":true},"constructor":"c","toString":"t","a":[{"__proto__":null}],"\\u0000":"nul key"}';
    const res = await fetch(`${stack.url}/v1/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${stack.adminToken}`, 'content-type': 'application/json' },
      body: `{"id":"evt-proto","tenant_id":"${t.id}","environment":"production","type":"user.created","payload":${payload}}`,
    });
    expect(res.status).toBe(202);
    expect((await stack.settle(t.id, 'evt-proto')).outcome).toBe('succeeded');
    const [delivered] = await receiver.waitFor('/as-posted', 1);
    expect(delivered!.body).toBe(payload);
  });
});
