// A JSON request body as the text the client sent, beside the value express.json parsed from it.
// JSON.parse keeps the last of duplicate keys and turns every number into a double, so a payload rebuilt
// from the parsed value is not what the producer posted: the exact text of a member is cut out of the
// body instead, and a duplicate key anywhere is refused (a receiver could not tell which one was meant).
import { isUtf8 } from 'node:buffer';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Request } from 'express';
import type { ErrorDetail } from './errors.js';
import type { Containers, JsonPath } from './json-containers.js';
import { scanText } from './json-scan.js';

export type { JsonPath };

interface Scanned {
  text: string;
  containers: Containers;
}

const scanned = new WeakMap<object, Scanned>();
const raw = new WeakMap<object, Buffer>();

const pathName = (path: JsonPath) => path.map(String).join('.');

/** For express.json's `verify`: keeps the bytes of the body (no copy) for the route's own reading. */
export function keepRawBody(req: IncomingMessage, _res: unknown, buffer: Buffer): void {
  raw.set(req, buffer);
}

/**
 * Reads the body's text once (after express.json accepted it as JSON): refuses bytes that are not UTF-8
 * (they would be replaced, and the text not be what was sent) and duplicate keys, naming each; keeps the
 * source span of every shallow object. Returns the problems, none for a body without JSON.
 */
export function scanJsonBody(req: Request): ErrorDetail[] {
  const buffer = raw.get(req);
  if (!buffer) return [];
  if (!isUtf8(buffer)) return [{ path: 'body', message: 'is not valid UTF-8' }];
  let text = buffer.toString('utf8');
  // A byte order mark is not part of the JSON text (JSON.parse was given the body without it as well).
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const { details, containers } = scanText(text);
  scanned.set(req, { text, containers });
  return details;
}

/**
 * The exact source text of the object at `path` in the request's body (e.g. `['events', 3, 'payload']`).
 * Only for a route whose body schema made sure that an object is there.
 */
export function sourceText(req: Request, path: JsonPath): string {
  const body = scanned.get(req);
  const span = body?.containers.objectSpan(path);
  if (!body || !span) throw new Error(`no JSON object at ${pathName(path)} in the request body`);
  return body.text.slice(span[0], span[1]);
}

/**
 * `value` as JSON with the top-level members of `rawMembers` written as the given JSON texts, unchanged
 * (a payload as it was posted, not as JSON.parse and JSON.stringify would rewrite it).
 */
export function jsonWithRawMembers(value: Record<string, unknown>, rawMembers: Record<string, string>): string {
  const marker = `\u0000raw:${randomUUID()}:`;
  const placeholders = Object.fromEntries(Object.keys(rawMembers).map((name) => [name, marker + name]));
  let json = JSON.stringify({ ...value, ...placeholders });
  for (const [name, text] of Object.entries(rawMembers)) json = json.replace(JSON.stringify(marker + name), () => text);
  return json;
}
