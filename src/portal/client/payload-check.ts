// A test event's payload as the tenant typed it, checked before it is sent: JSON, an object, and valid
// against its type's JSON Schema (draft 2020-12, by @cfworker/json-schema, which runs without eval under the
// portal's CSP). Problems are named like the API names them (`payload.data.id`); the API checks again.
import { Validator, type OutputUnit } from '@cfworker/json-schema';
import type { ErrorDetail } from './api.js';

/** Keywords that only say a part below them failed: the part's own error is listed, so these are not. */
const WRAPPERS = new Set(['properties', 'items', 'prefixItems', 'allOf', 'anyOf', '$ref', 'dependentSchemas', 'unevaluatedProperties', 'false']);

const pathOf = (location: string) =>
  ['payload', ...location.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent)]
    .join('.')
    .replaceAll('~1', '/')
    .replaceAll('~0', '~');

function detail(unit: OutputUnit): ErrorDetail | undefined {
  if (WRAPPERS.has(unit.keyword)) return undefined;
  if (unit.keyword === 'required') {
    const name = /"(.*)"/.exec(unit.error)?.[1];
    if (name !== undefined) return { path: `${pathOf(unit.instanceLocation)}.${name}`, message: 'is required' };
  }
  return { path: pathOf(unit.instanceLocation), message: unit.error.replace(/^Instance /, 'Value ') };
}

/** The parsed payload, or what is wrong with it. */
export function checkPayload(text: string, schema: Record<string, unknown> | null): { payload?: Record<string, unknown>; problems: ErrorDetail[] } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    return { problems: [{ path: 'payload', message: `is not valid JSON: ${(error as Error).message}` }] };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return { problems: [{ path: 'payload', message: 'must be a JSON object ({ … })' }] };
  }
  if (!schema) return { payload: parsed as Record<string, unknown>, problems: [] };
  let result: ReturnType<Validator['validate']>;
  try {
    result = new Validator(schema, '2020-12', false).validate(parsed);
  } catch {
    // A schema this validator cannot run: the API's check, the one that counts, still runs.
    return { payload: parsed as Record<string, unknown>, problems: [] };
  }
  const problems = result.errors.map(detail).filter((d): d is ErrorDetail => d !== undefined);
  return problems.length ? { problems } : { payload: parsed as Record<string, unknown>, problems: [] };
}
