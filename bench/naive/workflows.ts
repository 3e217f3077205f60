// What a team would write instead of hookrelay on Temporal: one workflow per event, one regular
// activity that POSTs the payload, retried by Temporal. The bench's "naive_temporal" measure.
import { proxyActivities } from '@temporalio/workflow';
import type { NaiveActivities } from './activities.js';

const { post } = proxyActivities<NaiveActivities>({
  startToCloseTimeout: '10s',
  retry: { initialInterval: '5s', backoffCoefficient: 2, maximumInterval: '1h' }, // unlimited attempts, as hookrelay's default policy
});

export async function naiveWebhook(input: { id: string; url: string; payload: Record<string, unknown> }): Promise<number> {
  return post(input);
}
