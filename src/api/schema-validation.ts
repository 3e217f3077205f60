// Compiling the catalog's JSON Schemas and checking payloads against them. This runs in the API's schema
// worker threads (src/bin/schema-worker.ts, driven by schema-pool.ts), never on the API's event loop: a
// schema is code a caller wrote, and some schemas cost time out of proportion to the payload (`uniqueItems`
// over many objects is quadratic, a `$ref` used twice per level is exponential in the payload's depth, a
// large `enum` of objects multiplies with the payload's size). Regular expressions (`pattern`,
// `patternProperties`) run on RE2 (re2js), whose matching is linear in the input, instead of the
// backtracking RegExp on which `^(a+)+$` is exponential; what stays costly is bounded by the pool's deadline.
import { Ajv2020, type CodeOptions, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import { RE2JS } from 're2js';
import type { ErrorDetail } from './errors.js';

/** A payload failing a schema in many places is named by its first few failures. */
const MAX_DETAILS = 20;

/**
 * Ajv's `code.regExp`: called with a schema's pattern (ECMA-262 syntax) and Ajv's flags (`u`); returns an
 * object with `test(string)`. RE2 is Unicode-aware without a flag; translateRegExp rewrites the JavaScript
 * spellings RE2 lacks (`\u0041`, `(?<name>`). A pattern RE2 cannot run in linear time (a lookahead, a
 * backreference) throws, so the schema is refused at the PUT. `code` names the engine in Ajv's standalone
 * output, which is never generated here.
 */
const linearRegExp: NonNullable<CodeOptions['regExp']> = Object.assign(
  (pattern: string) => {
    try {
      return RE2JS.compile(RE2JS.translateRegExp(pattern));
    } catch (error) {
      throw new Error(
        `pattern ${JSON.stringify(pattern)} is not supported (patterns run on RE2, in linear time: no lookaround, no backreferences): ${(error as Error).message}`,
        { cause: error },
      );
    }
  },
  { code: 'RE2JS.compile' },
);

export type JsonSchema = Record<string, unknown> | boolean;

/**
 * A fresh Ajv per schema: two schemas with the same `$id` (or a replaced one) never collide in a shared
 * instance. `format` stays an annotation (as draft 2020-12 defines it); unknown keywords are allowed.
 * Throws (Ajv's message) when the schema is not a valid draft 2020-12 schema or cannot be compiled.
 */
export function compileSchema(schema: JsonSchema): ValidateFunction {
  const ajv = new Ajv2020({ allErrors: true, strict: false, validateFormats: false, logger: false, code: { regExp: linearRegExp } });
  return ajv.compile(schema);
}

const unescapePointer = (segment: string) => segment.replace(/~1/g, '/').replace(/~0/g, '~');

/** Ajv's errors as the API names fields: `payload.data.user_id`, `events.3.payload.items.0`. */
export function schemaDetails(errors: ErrorObject[] | null | undefined, prefix: string): ErrorDetail[] {
  return (errors ?? []).slice(0, MAX_DETAILS).map((error) => {
    const segments = error.instancePath.split('/').slice(1).map(unescapePointer);
    const params = error.params as { missingProperty?: string; additionalProperty?: string };
    const child = params.missingProperty ?? params.additionalProperty;
    if (child !== undefined) segments.push(child);
    return { path: [prefix, ...segments].join('.'), message: error.message ?? 'does not match the schema' };
  });
}

// The messages between the API's event loop and a schema worker thread.

/** Compile `schema` to see that it is usable (PUT /v1/event-types): compiled, then tried on `{}`. */
export interface CompileRequest {
  id: number;
  op: 'compile';
  schema: JsonSchema;
}
/**
 * Check `payload` (its JSON text) against the schema of (`type`, `version`). `schema` comes along when this
 * thread has not compiled that version yet; the thread keeps one compiled version per type. The payload
 * travels as text and is parsed here: copying a string costs the API's event loop next to nothing, where
 * cloning the parsed value would walk every node of it there.
 */
export interface CheckRequest {
  id: number;
  op: 'check';
  type: string;
  version: number;
  schema?: JsonSchema;
  payload: string;
  prefix: string;
}
export type SchemaRequest = CompileRequest | CheckRequest;

export type SchemaReply =
  | { kind: 'ready' }
  /** The schema of a request compiled (or not: `error`); a check's validation starts now. */
  | { id: number; kind: 'compiled'; error?: string }
  /** The check ended: the payload's failures, none when it matched. */
  | { id: number; kind: 'checked'; details: ErrorDetail[] }
  /** Validation threw (a `$ref` recursing without end exhausts the stack). */
  | { id: number; kind: 'failed'; error: string };

/** One schema thread's state and its answer to each request (the thread entry posts what this returns). */
export function schemaThread(post: (reply: SchemaReply) => void): (request: SchemaRequest) => void {
  const compiled = new Map<string, { version: number; validate: ValidateFunction }>();
  const message = (error: unknown) => (error instanceof Error ? error.message : String(error));
  return (request) => {
    if (request.op === 'compile') {
      let validate: ValidateFunction;
      try {
        validate = compileSchema(request.schema);
      } catch (error) {
        post({ id: request.id, kind: 'compiled', error: message(error) });
        return;
      }
      // A schema that cannot even check an empty object (a `$ref` to itself) would fail every event.
      try {
        validate({});
      } catch (error) {
        post({ id: request.id, kind: 'compiled', error: `validating {} failed: ${message(error)}` });
        return;
      }
      post({ id: request.id, kind: 'compiled' });
      return;
    }
    if (request.schema) {
      try {
        compiled.set(request.type, { version: request.version, validate: compileSchema(request.schema) });
        post({ id: request.id, kind: 'compiled' });
      } catch (error) {
        compiled.delete(request.type);
        post({ id: request.id, kind: 'compiled', error: message(error) });
        return;
      }
    }
    const entry = compiled.get(request.type);
    if (!entry || entry.version !== request.version) {
      post({ id: request.id, kind: 'failed', error: `no compiled schema for ${request.type} version ${request.version}` });
      return;
    }
    try {
      const valid = entry.validate(JSON.parse(request.payload));
      post({ id: request.id, kind: 'checked', details: valid ? [] : schemaDetails(entry.validate.errors, request.prefix) });
    } catch (error) {
      post({ id: request.id, kind: 'failed', error: message(error) });
    }
  };
}
