// The generated client's types are the API's: regenerated in memory from the API's own document, they
// equal the committed src/client/schema.ts. A route or a schema changed without `npm run gen:client` fails here.
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { CLIENT_SCHEMA_FILE, clientSchemaText } from '../../scripts/lib/client-schema.js';

describe('src/client/schema.ts', () => {
  it('is what `npm run gen:client` writes from the current OpenAPI document', async () => {
    const committed = await readFile(CLIENT_SCHEMA_FILE, 'utf8');
    expect(committed === (await clientSchemaText()), 'src/client/schema.ts is stale: run `npm run gen:client`').toBe(true);
  });

  it('names every operation, and keeps a request field with a default optional', async () => {
    const text = await readFile(CLIENT_SCHEMA_FILE, 'utf8');
    expect(text).toContain('createSubscription: {');
    expect(text).not.toContain('operations = Record<string, never>');
    expect(text).toMatch(/timeout_ms\?: number;/);
  });
});
