// The generated client as a caller meets it: requests typed by the document (a field with a default may be
// left out), answers narrowed by status, the token only in the Authorization header.
import { describe, expect, expectTypeOf, it } from 'vitest';
import { createHookrelayClient, type RequestBody, type Schemas } from '../../src/client/index.js';

/** A fetch that records the request and answers `status` with `body`. */
function answering(status: number, body: unknown) {
  const seen: Request[] = [];
  const fetch = async (request: Request) => {
    seen.push(request);
    return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
  };
  return { seen, fetch };
}

describe('the generated client', () => {
  it('takes a create without the fields that have a default', () => {
    const minimal: RequestBody<'createSubscription'> = { url: 'https://example.com/hook' };
    expect(minimal.url).toBe('https://example.com/hook');
    expectTypeOf<RequestBody<'createSubscription'>['timeout_ms']>().toEqualTypeOf<number | undefined>();
    expectTypeOf<RequestBody<'createSubscription'>['enabled']>().toEqualTypeOf<boolean | undefined>();
    // An answer always carries them.
    expectTypeOf<Schemas['Subscription']['timeout_ms']>().toEqualTypeOf<number>();
  });

  it('narrows an error status to the Error body, and a 2xx to its data', async () => {
    const error = { error: { code: 'too_large', message: 'payload is larger than 256 KiB', details: [{ path: 'payload', message: 'at most' }] } };
    const { seen, fetch } = answering(413, error);
    const client = createHookrelayClient('http://hookrelay.test/', { token: 'hrp_secret', fetch });
    const body = { tenant_id: 'ten_1', environment: 'production', type: 'a.b', payload: {} } as const;
    const answer = await client.POST('/v1/events', { body });
    if (answer.error) {
      expectTypeOf(answer.error).toEqualTypeOf<Schemas['Error']>();
      expect(answer.error.error.code).toBe('too_large');
    } else {
      expectTypeOf(answer.data).toEqualTypeOf<Schemas['EventAccepted']>();
      throw new Error('a 413 was read as data');
    }
    expect(answer.response.status).toBe(413);
    const [request] = seen;
    expect(request?.url).toBe('http://hookrelay.test/v1/events');
    expect(request?.headers.get('authorization')).toBe('Bearer hrp_secret');
    expect(request?.redirect).toBe('manual');
    expect(await request?.json()).toEqual(body);
  });

  it('sends path and query parameters where the document puts them', async () => {
    const { seen, fetch } = answering(200, { data: [], next_cursor: null });
    const client = createHookrelayClient('http://hookrelay.test', { fetch });
    const { data } = await client.GET('/v1/deliveries', { params: { query: { event_id: 'evt 1', limit: 5 } } });
    expect(data?.next_cursor).toBeNull();
    expect(seen[0]?.url).toBe('http://hookrelay.test/v1/deliveries?event_id=evt%201&limit=5');
    expect(seen[0]?.headers.has('authorization')).toBe(false);
  });
});
