// The CLI covers the API: every operation of the OpenAPI document is called by a command of
// src/cli/command-table.ts or named there with a reason; each command's credential is one its routes
// take; the program has exactly the table's commands; docs/cli.md names each one.
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { beforeAll, describe, expect, it } from 'vitest';
import { describeApi } from '../../src/api/openapi-document.js';
import type { Auth, RouteSpec } from '../../src/api/route.js';
import { COMMANDS, NOT_COMMANDS, type CommandName } from '../../src/cli/command-table.js';
import type { TokenKind } from '../../src/cli/options.js';
import { createProgram } from '../../src/cli/program.js';

const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;

/** The routes' `auth` each credential kind of the CLI may call. */
const ACCEPTS: Record<TokenKind, readonly Auth[]> = {
  admin: ['admin', 'any'],
  tenant: ['tenant', 'any'],
  either: ['any'],
};

const entries = Object.entries(COMMANDS) as Array<[CommandName, (typeof COMMANDS)[CommandName]]>;
const extras = (spec: (typeof COMMANDS)[CommandName]): readonly string[] => ('withTenantKey' in spec ? spec.withTenantKey : []);

let documented: string[] = [];
let specs: readonly RouteSpec[] = [];
beforeAll(async () => {
  const api = await describeApi();
  specs = api.specs;
  documented = Object.values(api.document.paths ?? {}).flatMap((item) =>
    METHODS.flatMap((method) => {
      const id = (item as Record<string, { operationId?: string } | undefined>)[method]?.operationId;
      return id ? [id] : [];
    }),
  );
});

describe('the CLI and the OpenAPI document', () => {
  it('reads the operations out of the document', () => {
    expect(documented.length).toBeGreaterThan(25);
    expect(documented).toContain('createSubscription');
  });

  it('every operation is called by a command, or named as no command with a reason', () => {
    const called = new Set(entries.flatMap(([, spec]) => [...spec.operations, ...extras(spec)]));
    const uncovered = documented.filter((id) => !called.has(id) && !Object.hasOwn(NOT_COMMANDS, id));
    expect(uncovered).toEqual([]);
    // …and no operation is both.
    expect(Object.keys(NOT_COMMANDS).filter((id) => called.has(id))).toEqual([]);
  });

  it('names no operation the document does not have', () => {
    const named = [...entries.flatMap(([, spec]) => [...spec.operations, ...extras(spec)]), ...Object.keys(NOT_COMMANDS)];
    expect(named.filter((id) => !documented.includes(id))).toEqual([]);
  });

  it("each command's credential is one every route it calls takes (a tenant key for its tenant-key-only calls)", () => {
    const authOf = new Map(specs.map((spec) => [spec.operationId, spec.auth]));
    const wrong: string[] = [];
    for (const [name, spec] of entries) {
      for (const id of spec.operations) {
        if (!ACCEPTS[spec.credential].includes(authOf.get(id)!)) wrong.push(`${name}: ${id} is ${authOf.get(id)}, not for ${spec.credential}`);
      }
      for (const id of extras(spec)) if (!ACCEPTS.tenant.includes(authOf.get(id)!)) wrong.push(`${name}: ${id} is not a tenant route`);
    }
    expect(wrong).toEqual([]);
  });

  it('the operations no command calls need no credential or are not a tenant’s or producer’s work', () => {
    const authOf = new Map(specs.map((spec) => [spec.operationId, spec.auth]));
    for (const id of Object.keys(NOT_COMMANDS)) expect(authOf.get(id), id).toBe('none');
  });
});

describe('the program', () => {
  const program = createProgram();
  const leaves = (command: Command, prefix = ''): string[] =>
    command.commands.flatMap((sub) => (sub.commands.length ? leaves(sub, `${prefix}${sub.name()} `) : [`${prefix}${sub.name()}`]));

  it('has exactly the commands of the table', () => {
    expect(leaves(program).sort()).toEqual(Object.keys(COMMANDS).sort());
  });

  it('takes --json, --token and --api before or after any command', () => {
    expect(program.options.map((o) => o.long)).toEqual(expect.arrayContaining(['--json', '--token', '--api']));
    // Positional options would tie global options to their place before the command.
    expect((program as unknown as { _enablePositionalOptions: boolean })._enablePositionalOptions).toBe(false);
  });
});

describe('docs/cli.md', () => {
  const page = readFileSync(new URL('../../docs/cli.md', import.meta.url), 'utf8');

  it.each(Object.keys(COMMANDS))('shows `hookrelay %s`', (name) => {
    expect(page).toContain(`hookrelay ${name}`);
  });
});
