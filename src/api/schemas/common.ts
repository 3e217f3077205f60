import { z } from '../zod.js';
import { ENVIRONMENTS } from '../../domain/environment.js';
import { DELIVERY_STATUSES } from '../../domain/delivery-status.js';

export const Environment = z.enum(ENVIRONMENTS).openapi('Environment');
export const DeliveryStatus = z.enum(DELIVERY_STATUSES).openapi('DeliveryStatus');

export const ErrorBody = z
  .object({
    error: z.object({
      code: z.string(),
      message: z.string(),
      details: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
    }),
  })
  .openapi('Error');

export const NUL_MESSAGE = 'must not contain the NUL character (\\u0000)';
export const hasNul = (value: string) => value.includes('\0');

/**
 * Every string the API takes goes through this: PostgreSQL refuses the NUL byte in text and jsonb,
 * so it is refused here, naming the field, before the database is asked.
 */
export const text = () => z.string().refine((value) => !hasNul(value), NUL_MESSAGE);

/** Half of a UTF-16 surrogate pair without the other half: no character at all. */
export const LONE_SURROGATE_MESSAGE = 'must be well-formed Unicode (a lone surrogate such as \\ud800 is not a character)';
export const hasLoneSurrogate = (value: string) => !value.isWellFormed();
/** C0 controls, DEL and C1 controls; `lines` leaves tab, line feed and carriage return to free text. */
const CONTROL = /\p{Cc}/u;
const CONTROL_BUT_LINES = /(?![\t\n\r])\p{Cc}/u;

/**
 * `text()` for a string the API stores in a PostgreSQL text or jsonb column (a name, a URL, a description,
 * a key): it is stored as it was given or refused. jsonb refuses a lone surrogate and text turns it into
 * U+FFFD (the stored name would differ from the one the 201 echoed), and a control character in a name, a
 * URL or a key is never meant and breaks whatever prints it. Free text (`lines`) may hold tab and line breaks.
 */
export const wellFormed = ({ lines = false }: { lines?: boolean } = {}) =>
  text().superRefine((value, ctx) => {
    if (hasNul(value)) return; // named by text()
    if (hasLoneSurrogate(value)) ctx.addIssue({ code: 'custom', message: LONE_SURROGATE_MESSAGE });
    else if ((lines ? CONTROL_BUT_LINES : CONTROL).test(value)) {
      ctx.addIssue({ code: 'custom', message: `must not contain control characters${lines ? ' other than tab and line breaks' : ''}` });
    }
  });

/** How deep a payload may nest (`{}` is 1). Deeper JSON would exhaust the stack of JSON.stringify and its readers. */
export const MAX_JSON_DEPTH = 64;

/**
 * The depth of a parsed JSON value, counted without recursion; stops counting past `limit`. It runs on the
 * event loop for every payload: two flat stacks and indexed loops, no array or tuple allocated per node
 * (a 229 KB payload of 30,000 small arrays is walked in a few milliseconds instead of tens).
 */
export function jsonDepth(value: unknown, limit = MAX_JSON_DEPTH): number {
  let deepest = 0;
  const nodes: unknown[] = [value];
  const depths: number[] = [1];
  const visit = (child: unknown, depth: number) => {
    if (child !== null && typeof child === 'object') {
      nodes.push(child);
      depths.push(depth);
    }
  };
  while (nodes.length) {
    const node = nodes.pop();
    const depth = depths.pop()!;
    if (node === null || typeof node !== 'object') continue;
    if (depth > deepest) deepest = depth;
    if (deepest > limit) return deepest;
    if (Array.isArray(node)) {
      for (let i = 0; i < node.length; i++) visit(node[i], depth + 1);
    } else {
      for (const key in node) if (Object.hasOwn(node, key)) visit((node as Record<string, unknown>)[key], depth + 1);
    }
  }
  return deepest;
}

const isJsonObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * A JSON object kept exactly as posted: the value itself is passed on, never rebuilt, so every own key
 * survives (`__proto__` included, which a zod record would drop) and key order is the producer's.
 */
export const JsonObject = z
  .custom<Record<string, unknown>>(isJsonObject, 'must be a JSON object')
  // abort: checks chained after this one (sizes, which serialise the value) never see a value too deep to serialise.
  .refine((value) => jsonDepth(value) <= MAX_JSON_DEPTH, { message: `must not nest deeper than ${MAX_JSON_DEPTH} levels`, abort: true })
  .openapi({ type: 'object', additionalProperties: true });

/** How many unstorable strings of one JSON value are named, at most. */
const MAX_JSONB_ISSUES = 20;

/**
 * A JSON object stored as jsonb (a schema of the catalog, say): jsonb cannot hold NUL or a lone surrogate
 * in a key or a string, so each one is named by its path (`schema.properties.a\u0000`) before the
 * database refuses the whole value. Walked without recursion; the depth was bounded by JsonObject.
 */
export const JsonbObject = JsonObject.superRefine((value, ctx) => {
  const stack: Array<[unknown, PropertyKey[]]> = [[value, []]];
  let issues = 0;
  const check = (text: string, path: PropertyKey[]) => {
    const message = hasNul(text) ? NUL_MESSAGE : hasLoneSurrogate(text) ? LONE_SURROGATE_MESSAGE : undefined;
    if (message && issues++ < MAX_JSONB_ISSUES) ctx.addIssue({ code: 'custom', path, message });
  };
  while (stack.length) {
    const [node, path] = stack.pop()!;
    if (typeof node === 'string') check(node, path);
    else if (Array.isArray(node)) node.forEach((item, i) => stack.push([item, [...path, i]]));
    else if (node !== null && typeof node === 'object') {
      for (const [key, child] of Object.entries(node)) {
        check(key, [...path, key]);
        stack.push([child, [...path, key]]);
      }
    }
  }
});

export const PAGE_LIMIT = { min: 1, max: 100, default: 20 } as const;

/**
 * An integer query value, written as plain decimal digits: a number parser would also read `0x10` as 16,
 * `%205` (a space, then 5) as 5, `1e1` as 10 and an empty value as 0.
 */
export const queryInteger = ({ min, max, default: fallback }: { min: number; max: number; default: number }) =>
  z
    .string()
    .regex(/^[0-9]+$/, 'must be a whole number in plain decimal digits')
    .transform(Number)
    .pipe(z.number().int().min(min).max(max))
    .default(fallback)
    .openapi({ type: 'integer', minimum: min, maximum: max, default: fallback });

/** Every list takes these; `cursor` is the `next_cursor` of the previous page, opaque and signed. */
export const PageQuery = z.strictObject({
  limit: queryInteger(PAGE_LIMIT),
  cursor: text().max(512).optional().openapi({ description: 'The `next_cursor` of the previous page.' }),
});

export function page<T extends z.ZodType>(item: T, name: string) {
  return z.object({ data: z.array(item), next_cursor: z.string().nullable() }).openapi(name);
}

export const IdParam = z.object({ id: text().min(1).max(128) });

/** An ISO 8601 date-time with its offset (`2026-01-31T12:00:00Z`), as a Date. */
export const instant = () => z.iso.datetime({ offset: true }).transform((value) => new Date(value));
