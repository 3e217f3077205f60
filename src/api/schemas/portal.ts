import { z } from '../zod.js';
import { Environment } from './common.js';
import { DURATION_PATTERN, parseDuration } from '../../domain/duration.js';

export const PORTAL_TTL_DEFAULT = '1h';
export const PORTAL_TTL_MIN_MS = 60_000;
export const PORTAL_TTL_MAX_MS = 24 * 3_600_000;

export const PortalSessionCreate = z
  .strictObject({
    environment: Environment.optional().openapi({ description: 'Scope the portal to one environment; both when absent.' }),
    ttl: z
      .string()
      .regex(DURATION_PATTERN, 'a duration such as "30m" or "1h"')
      .refine(
        (text) => !DURATION_PATTERN.test(text) || (parseDuration(text) >= PORTAL_TTL_MIN_MS && parseDuration(text) <= PORTAL_TTL_MAX_MS),
        'must be between 1m and 24h',
      )
      .default(PORTAL_TTL_DEFAULT)
      .openapi({ description: 'How long the link can be opened, and when the session it opens ends (default 1h, at most 24h).' }),
  })
  // The body is optional: no body is a session for both environments with the default ttl.
  .default({ ttl: PORTAL_TTL_DEFAULT })
  .openapi('PortalSessionCreate');

export const PortalSessionCreated = z
  .object({
    url: z.string().openapi({ description: 'Opens the portal once; hand it to the tenant’s user (a redirect or a link).' }),
    expires_at: z.string(),
  })
  .openapi('PortalSessionCreated');
