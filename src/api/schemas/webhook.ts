import { z } from '../zod.js';
import { Environment } from './common.js';
import { SUBSCRIPTION_DEFAULTS, SubscriptionCreate } from './subscription.js';

/** Category webhooks: each category and the event types it receives. */
export const CATEGORY_EVENT_TYPES = {
  users: ['user.*'],
  accounts: ['account.*'],
  endpoints: ['endpoint.*'],
} as const;
export type Category = keyof typeof CATEGORY_EVENT_TYPES;
const CATEGORIES = Object.keys(CATEGORY_EVENT_TYPES) as [Category, ...Category[]];

export const CategoryParam = z.object({ category: z.enum(CATEGORIES) });
export const CategoryQuery = z.strictObject({ environment: Environment.default(SUBSCRIPTION_DEFAULTS.environment) });

export const CategoryWebhook = SubscriptionCreate.pick({ url: true, method: true, headers: true }).openapi('CategoryWebhook');
