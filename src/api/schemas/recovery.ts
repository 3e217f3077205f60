import { z } from '../zod.js';
import { instant } from './common.js';

/** How far back a recovery may reach. */
export const RECOVERY_MAX_AGE_MS = 14 * 86_400_000;

export const RecoverRequest = z
  .strictObject({
    since: instant().openapi({ description: 'Events accepted at or after this time (at most 14 days back).' }),
    until: instant().optional().openapi({ description: 'Events accepted before this time; default now.' }),
  })
  // Runs even when a field failed its own check (zod still calls object refinements): look before use.
  .superRefine((body, ctx) => {
    if (!(body.since instanceof Date)) return;
    if (body.since.getTime() < Date.now() - RECOVERY_MAX_AGE_MS) {
      ctx.addIssue({ code: 'custom', path: ['since'], message: 'at most 14 days back' });
    }
    if (body.since.getTime() > Date.now()) {
      ctx.addIssue({ code: 'custom', path: ['since'], message: 'must not be in the future' });
    }
    if (body.until instanceof Date && body.until.getTime() <= body.since.getTime()) {
      ctx.addIssue({ code: 'custom', path: ['until'], message: 'must be after since' });
    }
  })
  .openapi('RecoverRequest');

export const RecoverAccepted = z
  .object({
    workflow_id: z.string(),
    deliveries: z.number().openapi({ description: 'How many failed deliveries it redelivers (one per event, its latest failed one).' }),
  })
  .openapi('RecoverAccepted');
