// What a real Temporal server needs before hookrelay can use it (the dev server does both by flags):
// the namespace, and the custom search attributes every event workflow is started with.
import { Connection, isGrpcServiceError } from '@temporalio/client';
import { encodeSearchAttributeIndexedValueType } from '@temporalio/common/lib/search-attributes.js';
import { msToTs } from '@temporalio/common/lib/time.js';
import { SEARCH_ATTRIBUTES } from '../../src/temporal/search-attributes.js';

// gRPC status codes (the numbers are the protocol's; grpc-js is not a direct dependency).
const status = { DEADLINE_EXCEEDED: 4, NOT_FOUND: 5, ALREADY_EXISTS: 6, UNAVAILABLE: 14 } as const;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Retries `fn` while the server answers Unavailable/NotFound (starting up, caches not refreshed yet). */
async function retryTransient<T>(what: string, fn: () => Promise<T>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (let delay = 200; ; delay = Math.min(delay * 2, 2_000)) {
    try {
      return await fn();
    } catch (error) {
      const code = isGrpcServiceError(error) ? error.code : undefined;
      const transient = code === status.UNAVAILABLE || code === status.NOT_FOUND || code === status.DEADLINE_EXCEEDED;
      if (!transient || Date.now() + delay > deadline) {
        throw new Error(`${what}: ${(error as Error).message}`, { cause: error });
      }
      await sleep(delay);
    }
  }
}

/** Registers the namespace unless it exists, then waits until the frontend serves it. */
export async function ensureNamespace(
  connection: Connection,
  namespace: string,
  options: { retentionDays?: number; timeoutMs?: number } = {},
): Promise<'registered' | 'existed'> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  let result: 'registered' | 'existed' = 'registered';
  await retryTransient(
    `registering namespace ${namespace}`,
    async () => {
      try {
        await connection.workflowService.registerNamespace({
          namespace,
          workflowExecutionRetentionPeriod: msToTs(`${options.retentionDays ?? 3} days`),
        });
      } catch (error) {
        if (isGrpcServiceError(error) && error.code === status.ALREADY_EXISTS) result = 'existed';
        else throw error;
      }
    },
    timeoutMs,
  );
  // A new namespace reaches the frontend's namespace cache within seconds; until then it is NotFound.
  await retryTransient(`waiting for namespace ${namespace}`, () => connection.workflowService.describeNamespace({ namespace }), timeoutMs);
  return result;
}

/** Adds hookrelay's search attributes that are missing (Keyword each); returns the names it added. */
export async function ensureSearchAttributes(connection: Connection, namespace: string, timeoutMs = 60_000): Promise<string[]> {
  const keyword = encodeSearchAttributeIndexedValueType('KEYWORD')!;
  const existing = async () =>
    (await retryTransient('listing search attributes', () => connection.operatorService.listSearchAttributes({ namespace }), timeoutMs))
      .customAttributes ?? {};
  const present = await existing();
  for (const { name } of SEARCH_ATTRIBUTES) {
    if (name in present && present[name] !== keyword) {
      throw new Error(`search attribute ${name} exists on namespace ${namespace} with another type than Keyword`);
    }
  }
  const missing = SEARCH_ATTRIBUTES.filter(({ name }) => !(name in present)).map(({ name }) => name);
  if (missing.length === 0) return [];
  await retryTransient(
    'adding search attributes',
    async () => {
      try {
        await connection.operatorService.addSearchAttributes({
          namespace,
          searchAttributes: Object.fromEntries(missing.map((name) => [name, keyword])),
        });
      } catch (error) {
        // A concurrent set-up (another process starting) added them first.
        if (!(isGrpcServiceError(error) && error.code === status.ALREADY_EXISTS)) throw error;
      }
    },
    timeoutMs,
  );
  return missing;
}
