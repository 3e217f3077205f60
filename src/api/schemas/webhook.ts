import { z } from '../zod.js';
import { Environment } from './common.js';
import { SUBSCRIPTION_DEFAULTS, SubscriptionCreate } from './subscription.js';
import { CATEGORIES } from '../../domain/webhook-categories.js';

export const CategoryParam = z.object({ category: z.enum(CATEGORIES) });
export const CategoryQuery = z.strictObject({ environment: Environment.default(SUBSCRIPTION_DEFAULTS.environment) });

export const CategoryWebhook = SubscriptionCreate.pick({ url: true, method: true, headers: true }).openapi('CategoryWebhook');
