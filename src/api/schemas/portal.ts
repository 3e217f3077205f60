import { z } from '../zod.js';
import { Environment, wellFormed } from './common.js';
import { DURATION_PATTERN, parseDuration } from '../../domain/duration.js';
import {
  ACCENT_COLOR_PATTERN,
  ACCENT_MIN_CONTRAST,
  PORTAL_BRANDING_LIMITS,
  contrastWithWhite,
  isLogoUrl,
  isReturnUrl,
} from '../../domain/portal-branding.js';

export const PORTAL_TTL_DEFAULT = '1h';
export const PORTAL_TTL_MIN_MS = 60_000;
export const PORTAL_TTL_MAX_MS = 24 * 3_600_000;

const { nameMaxLength, logoUrlMaxLength, returnUrlMaxLength } = PORTAL_BRANDING_LIMITS;

// zod runs every check of a field even after one failed: each refinement accepts what an earlier check refused.
export const PortalBranding = z
  .strictObject({
    name: wellFormed()
      .min(1)
      .max(nameMaxLength)
      .refine((name) => name.trim() === name, 'must not start or end with a space')
      .optional()
      .openapi({
        description: `The platform's name, shown in the portal's header and page titles (default "Webhooks"; at most ${nameMaxLength} characters).`,
      }),
    logo_url: z
      .string()
      .max(logoUrlMaxLength)
      .refine(
        (url) => url.length > logoUrlMaxLength || isLogoUrl(url),
        'a path on this origin (/…) or a base64 data: URL of a png, jpeg, gif, webp or svg image',
      )
      .optional()
      .openapi({
        description: `The platform's logo in the header: a same-origin path or a \`data:image/…;base64,\` URL (at most ${logoUrlMaxLength} characters).`,
      }),
    accent_color: z
      .string()
      .regex(ACCENT_COLOR_PATTERN, 'a colour as #rrggbb')
      .refine(
        (hex) => !ACCENT_COLOR_PATTERN.test(hex) || contrastWithWhite(hex) >= ACCENT_MIN_CONTRAST,
        `too light: buttons show white text on it and links show it on white, which needs a contrast of ${ACCENT_MIN_CONTRAST}:1`,
      )
      .optional()
      .openapi({ description: `Buttons and links (#rrggbb, with a contrast of at least ${ACCENT_MIN_CONTRAST}:1 against white).` }),
  })
  .openapi('PortalBranding');

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
    return_url: z
      .string()
      .max(returnUrlMaxLength)
      .refine((url) => url.length > returnUrlMaxLength || isReturnUrl(url), 'an absolute http or https URL without user or password')
      .optional()
      .openapi({
        description: `Where the "Your session has ended" page (and sign-out) sends the tenant's user back to, e.g. the dashboard's page that makes a new link (at most ${returnUrlMaxLength} characters).`,
      }),
    branding: PortalBranding.optional(),
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
