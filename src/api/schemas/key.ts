import { z } from '../zod.js';
import { IdParam, PageQuery, page, wellFormed } from './common.js';
import { SCOPES } from '../../domain/scopes.js';

export const ScopeName = z.enum(SCOPES).openapi('Scope');

export const ProducerKeyCreate = z
  .strictObject({
    name: wellFormed().trim().min(1).max(200).openapi({ description: 'What the key is for (shown in lists and in the audit log).' }),
    scopes: z
      .array(ScopeName)
      .min(1)
      .max(SCOPES.length)
      .superRefine((scopes, ctx) => {
        scopes.forEach((scope, i) => {
          if (scopes.indexOf(scope) !== i) ctx.addIssue({ code: 'custom', path: [i], message: `${scope} is listed twice` });
        });
      })
      .openapi({ description: 'What the key may do; `keys:manage` can create keys of any scope, so it is as strong as all of them.' }),
    expires_at: z.iso
      .datetime({ offset: true })
      .transform((value) => new Date(value))
      .refine((at) => at.getTime() > Date.now(), 'must be in the future')
      .nullable()
      .optional()
      .openapi({ description: 'When the key stops working; never when absent or null.' }),
  })
  .openapi('ProducerKeyCreate');

export const ProducerKey = z
  .object({
    id: z.string(),
    name: z.string(),
    prefix: z.string().openapi({ description: 'The first characters of the key, to recognise it.' }),
    scopes: z.array(ScopeName),
    expires_at: z.string().nullable(),
    last_used_at: z
      .string()
      .nullable()
      .openapi({ description: 'When it last authenticated a request, to the minute (written at most once a minute).' }),
    created_by: z.string().openapi({ description: 'The key id that created it, or `admin-token`.' }),
    created_at: z.string(),
    revoked_at: z.string().nullable(),
  })
  .openapi('ProducerKey');

export const ProducerKeyCreated = ProducerKey.extend({
  key: z.string().openapi({ description: 'The key itself (`hrp_…`), shown once; only its hash is stored.' }),
}).openapi('ProducerKeyCreated');

export const ProducerKeyListQuery = PageQuery;
export const ProducerKeyPage = page(ProducerKey, 'ProducerKeyPage');
export const ProducerKeyParam = IdParam;
