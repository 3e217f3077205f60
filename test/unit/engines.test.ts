// package.json's `engines.node` is what the installed tree needs: the Node versions every package of
// package-lock.json (dev and optional ones included: `npm ci` installs them) declares it runs on, no more and
// no fewer. This fails when a dependency's upgrade raises its floor, or drops a line, and engines was not
// changed with it.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const readJson = (file: string) => JSON.parse(readFileSync(path.join(root, file), 'utf8')) as unknown;
// npm's own range semantics, from the copy the tree holds (hoisted; many of the tree's packages need it).
const semver = createRequire(import.meta.url)('semver') as { satisfies(version: string, range: string): boolean };

const engines = (readJson('package.json') as { engines: { node: string } }).engines.node;
const packages = Object.entries((readJson('package-lock.json') as { packages: Record<string, { engines?: { node?: string } }> }).packages)
  .filter(([where, entry]) => where !== '' && typeof entry.engines?.node === 'string')
  .map(([where, entry]) => ({ where, range: entry.engines!.node! }));

/** Every minor of every major from 18 to 26, each at its .0 and a late patch. */
const versions = Array.from({ length: 9 }, (_, i) => 18 + i).flatMap((major) =>
  Array.from({ length: 31 }, (_, minor) => [`${major}.${minor}.0`, `${major}.${minor}.20`]).flat(),
);

describe('engines.node', () => {
  it("accepts exactly the Node versions every installed package's engines accepts", () => {
    expect(packages.length).toBeGreaterThan(100);
    const mismatches = versions
      .map((version) => ({
        version,
        ours: semver.satisfies(version, engines),
        refusedBy: packages.filter((p) => !semver.satisfies(version, p.range)),
      }))
      .filter(({ ours, refusedBy }) => ours !== (refusedBy.length === 0))
      .map(({ version, ours, refusedBy }) =>
        ours ? `${version}: accepted, but ${refusedBy[0]!.where} needs ${refusedBy[0]!.range}` : `${version}: refused, but every package runs on it`,
      );
    expect(mismatches).toEqual([]);
  });

  it('accepts the Node running the tests', () => {
    expect(semver.satisfies(process.versions.node, engines)).toBe(true);
  });
});
