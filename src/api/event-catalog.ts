// The event type catalog as ingest sees it: cached per API process, so checking a payload costs no
// database round trip in the common case. The list of (type, version) is re-read at most once per
// REFRESH_MS (a PUT made through another API process is seen within that); a schema is read and compiled
// once per version, and a PUT through this process invalidates the cache at once.
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import type { Queryable } from '../db/pool.js';
import { eventTypeVersions, type EventTypeRow } from '../db/event-types.js';
import type { ErrorDetail } from './errors.js';

export const CATALOG_REFRESH_MS = 1_000;
/** A payload failing a schema in many places is named by its first few failures. */
const MAX_DETAILS = 20;

/**
 * A fresh Ajv per schema: two schemas with the same `$id` (or a replaced one) never collide in a shared
 * instance. `format` stays an annotation (as draft 2020-12 defines it); unknown keywords are allowed.
 * Throws (Ajv's message) when the schema is not a valid draft 2020-12 schema or cannot be compiled.
 */
export function compileSchema(schema: Exclude<EventTypeRow['schema'], null>): ValidateFunction {
  const ajv = new Ajv2020({ allErrors: true, strict: false, validateFormats: false, logger: false });
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

interface Entry { version: number; deprecated: boolean; hasSchema: boolean }

export class EventCatalog {
  private entries = new Map<string, Entry>();
  private loadedAt = -Infinity;
  private generation = 0;
  private loading: Promise<void> | undefined;
  private compiled = new Map<string, { version: number; validate: ValidateFunction }>();

  constructor(private readonly db: Queryable, private readonly refreshMs = CATALOG_REFRESH_MS) {}

  /** After a PUT through this process: the next check re-reads the catalog. */
  invalidate(): void {
    this.generation++;
    this.loadedAt = -Infinity;
    this.loading = undefined;
  }

  /** Keeps a schema compiled by the PUT that stored it. */
  remember(type: string, version: number, validate: ValidateFunction | undefined): void {
    if (validate) this.compiled.set(type, { version, validate });
    else this.compiled.delete(type);
  }

  private async fresh(): Promise<void> {
    if (performance.now() - this.loadedAt < this.refreshMs) return;
    if (!this.loading) {
      const generation = this.generation;
      const started = performance.now();
      const load = eventTypeVersions(this.db).then((rows) => {
        if (generation !== this.generation) return;
        this.entries = new Map(rows.map((r) => [r.type, { version: Number(r.version), deprecated: r.deprecated, hasSchema: r.has_schema }]));
        this.loadedAt = started;
      }).finally(() => { if (this.loading === load) this.loading = undefined; });
      this.loading = load;
    }
    await this.loading;
  }

  private async validator(type: string, entry: Entry): Promise<ValidateFunction | undefined> {
    const cached = this.compiled.get(type);
    if (cached && cached.version >= entry.version) return cached.validate;
    const { rows } = await this.db.query<Pick<EventTypeRow, 'schema' | 'version'>>(
      'SELECT schema, version FROM event_types WHERE type = $1', [type]);
    const row = rows[0];
    if (!row || row.schema === null) return undefined;
    // A schema that no longer compiles (Ajv upgraded, say) must not refuse every event of its type.
    let validate: ValidateFunction;
    try { validate = compileSchema(row.schema); } catch { return undefined; }
    this.compiled.set(type, { version: Number(row.version), validate });
    return validate;
  }

  /** The failures of `payload` against its type's schema, named under `prefix`; none for a type without one. */
  async check(type: string, payload: unknown, prefix: string): Promise<ErrorDetail[]> {
    await this.fresh();
    const entry = this.entries.get(type);
    if (!entry?.hasSchema) return [];
    const validate = await this.validator(type, entry);
    if (!validate || validate(payload)) return [];
    return schemaDetails(validate.errors, prefix);
  }
}

