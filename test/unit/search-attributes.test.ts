// The shell script that registers the search attributes on a cluster lists them by name; the TypeScript
// declarations are the source. This ties the two, so adding an attribute in one place fails here.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SEARCH_ATTRIBUTES } from '../../src/temporal/search-attributes.js';

describe('search attributes', () => {
  it('scripts/register-search-attributes.sh registers exactly the declared ones, with their type', () => {
    const script = readFileSync(new URL('../../scripts/register-search-attributes.sh', import.meta.url), 'utf8');
    const names = /^attributes=\(([^)]*)\)$/m.exec(script)?.[1]?.trim().split(/\s+/);
    const type = /^type=(\w+)$/m.exec(script)?.[1];
    expect(names?.sort()).toEqual(SEARCH_ATTRIBUTES.map((a) => a.name).sort());
    expect(new Set(SEARCH_ATTRIBUTES.map((a) => a.type))).toEqual(new Set([type]));
  });
});
