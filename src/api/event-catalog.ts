// The event type catalog as ingest sees it: cached per API process, so checking a payload costs no
// database round trip in the common case. The list of (type, version) is re-read at most once per
// REFRESH_MS (a PUT made through another API process is seen within that); a schema is read once per
// version, and a PUT through this process invalidates the cache at once. Schemas are compiled and run in
// the schema worker threads (schema-pool.ts), with a time budget; a type without a schema never reaches them.
import type { Queryable } from '../db/pool.js';
import { eventTypeVersions, type EventTypeRow } from '../db/event-types.js';
import type { ErrorDetail } from './errors.js';
import { SchemaPool, type Group, type Outcome } from './schema-pool.js';
import type { JsonSchema } from './schema-validation.js';

export const CATALOG_REFRESH_MS = 1_000;

/** Why a schema cannot be stored, or undefined when it can: it compiles, and it checks `{}` within its budget. */
export async function schemaProblem(pool: SchemaPool, schema: JsonSchema): Promise<string | undefined> {
  const outcome = await pool.compile(schema);
  switch (outcome.kind) {
    case 'compiled':
      return undefined;
    case 'uncompilable':
      return `not a valid JSON Schema (draft 2020-12): ${outcome.error}`;
    case 'over_budget':
      return `compiling it and checking {} took longer than ${outcome.budgetMs} ms`;
    default:
      return `it cannot be used: ${outcome.kind === 'failed' ? outcome.error : outcome.kind}`;
  }
}

/** A check's outcome as the failures it names under `prefix`; a refusal that is the schema's, not the payload's, names the payload. */
function details(outcome: Outcome, type: string, prefix: string): ErrorDetail[] {
  switch (outcome.kind) {
    case 'checked':
      return outcome.details;
    case 'over_budget':
      return [
        {
          path: prefix,
          message:
            outcome.phase === 'validate'
              ? `validating it against the schema of ${type} took longer than its time budget (${outcome.budgetMs} ms)`
              : `compiling the schema of ${type} took longer than its time budget (${outcome.budgetMs} ms)`,
        },
      ];
    case 'failed':
      return [{ path: prefix, message: `could not be validated against the schema of ${type}: ${outcome.error}` }];
    // A schema that no longer compiles (Ajv upgraded, say) must not refuse every event of its type.
    case 'uncompilable':
      return [];
    // `skipped`: another payload of its batch went over its budget and is named; the batch is refused.
    default:
      return [];
  }
}

interface Entry {
  version: number;
  deprecated: boolean;
  hasSchema: boolean;
}
interface Cached {
  version: number;
  schema: JsonSchema;
  usable: boolean;
}

export class EventCatalog {
  private entries = new Map<string, Entry>();
  private loadedAt = -Infinity;
  private generation = 0;
  private loading: Promise<void> | undefined;
  private schemas = new Map<string, Cached>();

  constructor(
    private readonly db: Queryable,
    private readonly refreshMs = CATALOG_REFRESH_MS,
    /** Where schemas are compiled and run; its threads start with the first schema. */
    readonly pool = new SchemaPool(),
  ) {}

  /** After a PUT through this process: the next check re-reads the catalog. */
  invalidate(): void {
    this.generation++;
    this.loadedAt = -Infinity;
    this.loading = undefined;
  }

  /** Keeps the schema a PUT stored (checked by schemaProblem), so the next event need not read it. */
  remember(type: string, version: number, schema: JsonSchema | null): void {
    if (schema !== null) this.schemas.set(type, { version, schema, usable: true });
    else this.schemas.delete(type);
  }

  private async fresh(): Promise<void> {
    if (performance.now() - this.loadedAt < this.refreshMs) return;
    if (!this.loading) {
      const generation = this.generation;
      const started = performance.now();
      const load = eventTypeVersions(this.db)
        .then((rows) => {
          if (generation !== this.generation) return;
          this.entries = new Map(rows.map((r) => [r.type, { version: Number(r.version), deprecated: r.deprecated, hasSchema: r.has_schema }]));
          this.loadedAt = started;
        })
        .finally(() => {
          if (this.loading === load) this.loading = undefined;
        });
      this.loading = load;
    }
    await this.loading;
  }

  private async schemaOf(type: string): Promise<Cached | undefined> {
    await this.fresh();
    const entry = this.entries.get(type);
    if (!entry?.hasSchema) return undefined;
    const cached = this.schemas.get(type);
    if (cached && cached.version >= entry.version) return cached.usable ? cached : undefined;
    const { rows } = await this.db.query<Pick<EventTypeRow, 'schema' | 'version'>>('SELECT schema, version FROM event_types WHERE type = $1', [type]);
    const row = rows[0];
    if (!row || row.schema === null) return undefined;
    const fresh = { version: Number(row.version), schema: row.schema, usable: true };
    this.schemas.set(type, fresh);
    return fresh;
  }

  private async checkOne(type: string, payload: string, prefix: string, group?: Group): Promise<ErrorDetail[]> {
    const cached = await this.schemaOf(type);
    if (!cached) return [];
    const outcome = await this.pool.check(type, cached.version, cached.schema, payload, prefix, group);
    // Not compiled again for every event of its type.
    if (outcome.kind === 'uncompilable' && this.schemas.get(type) === cached) cached.usable = false;
    return details(outcome, type, prefix);
  }

  /** Whether the catalog holds `type` (as read at most `refreshMs` ago). */
  async has(type: string): Promise<boolean> {
    await this.fresh();
    return this.entries.has(type);
  }

  /**
   * The failures of `payload` (its JSON text, as posted) against its type's schema, named under `prefix`;
   * none for a type without one, which never reaches a schema thread.
   */
  check(type: string, payload: string, prefix: string): Promise<ErrorDetail[]> {
    return this.checkOne(type, payload, prefix);
  }

  /**
   * The failures of several payloads (a batch, all or nothing): once one goes over its time budget the
   * others are not run, since the batch is refused anyway, so one batch cannot hold the threads for long.
   */
  async checkAll(items: ReadonlyArray<{ type: string; payload: string; prefix: string }>): Promise<ErrorDetail[]> {
    const group: Group = { overBudget: false };
    return (await Promise.all(items.map((item) => this.checkOne(item.type, item.payload, item.prefix, group)))).flat();
  }
}
