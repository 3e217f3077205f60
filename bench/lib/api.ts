import { Agent, request } from 'undici';

/** A keep-alive HTTP client for the benchmark's own calls to the API. */
export function apiClient(baseUrl: string) {
  const agent = new Agent({ connections: 128, keepAliveTimeout: 30_000 });
  async function call(method: 'GET' | 'POST', path: string, token: string, body?: unknown) {
    const res = await request(baseUrl + path, {
      dispatcher: agent,
      method,
      headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await res.body.text();
    return { status: res.statusCode, body: text ? JSON.parse(text) : undefined };
  }
  return {
    call,
    async tenant(adminToken: string, name: string) {
      const res = await call('POST', '/v1/tenants', adminToken, { name });
      if (res.status !== 201) throw new Error(`tenant: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body as { id: string; api_key: string };
    },
    async subscribe(apiKey: string, body: Record<string, unknown>) {
      const res = await call('POST', '/v1/subscriptions', apiKey, body);
      if (res.status !== 201) throw new Error(`subscription: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body as { id: string; secret: string };
    },
    close: () => agent.close(),
  };
}
