import { z } from '../zod.js';
import { Environment } from './common.js';
import { SubscriptionCreate } from './subscription.js';

/** Rollee's categories and the event types each one receives. */
export const CATEGORY_EVENT_TYPES = {
  users: ['user.*'],
  accounts: ['account.*'],
  endpoints: ['endpoint.*'],
} as const;

export const CategoryParam = z.object({ category: z.enum(['users', 'accounts', 'endpoints']) });
export const CategoryQuery = z.strictObject({ environment: Environment.default('production') });

export const CategoryWebhook = SubscriptionCreate.pick({ url: true, method: true, headers: true }).openapi('CategoryWebhook');
