import { Agent, request } from 'undici';

/** The naive webhook's one activity: POST the payload, fail (and so be retried) on anything but a 2xx. */
export function naiveActivities(agent: Agent) {
  return {
    async post(input: { id: string; url: string; payload: Record<string, unknown> }): Promise<number> {
      const res = await request(input.url, {
        dispatcher: agent,
        method: 'POST',
        headers: { 'content-type': 'application/json', 'webhook-id': input.id },
        body: JSON.stringify(input.payload),
      });
      await res.body.dump();
      if (res.statusCode < 200 || res.statusCode >= 300) throw new Error(`HTTP ${res.statusCode}`);
      return res.statusCode;
    },
  };
}
export type NaiveActivities = ReturnType<typeof naiveActivities>;
