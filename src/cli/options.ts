// Parsing of option values the API cannot check for the CLI (the API validates the rest and
// names the field, which the CLI prints).
import { readFileSync } from 'node:fs';
import { CliError } from './errors.js';

export const DEFAULT_API = 'http://localhost:3000';

/** `--header name=value` (repeatable) into an object; the first `=` separates. */
export function parseHeaders(pairs: readonly string[]): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    if (at <= 0) throw new CliError(`--header expects name=value, got "${pair}"`);
    headers[pair.slice(0, at).trim()] = pair.slice(at + 1);
  }
  return headers;
}

/** A JSON option value; `@path` reads it from a file. */
export function parseJsonOption(option: string, text: string): unknown {
  let source = text;
  if (text.startsWith('@')) {
    try {
      source = readFileSync(text.slice(1), 'utf8');
    } catch (error) {
      throw new CliError(`${option}: cannot read ${text.slice(1)}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
  }
  try {
    return JSON.parse(source) as unknown;
  } catch (error) {
    throw new CliError(`${option} is not valid JSON: ${(error as Error).message}`);
  }
}

/** A preset name (`default`, `three_retries`, `none`) or a JSON policy object. */
export function parseRetryPolicy(text: string): unknown {
  const trimmed = text.trim();
  return trimmed.startsWith('{') || trimmed.startsWith('@') ? parseJsonOption('--retry-policy', trimmed) : trimmed;
}

/** A number when the text is one; otherwise the text itself, so the API names the field. */
export function numberOrText(text: string): number | string {
  return text.trim() !== '' && Number.isFinite(Number(text)) ? Number(text) : text;
}

export interface GlobalOptions {
  api?: string;
  token?: string;
  json?: boolean;
}

/** Who may run a command: the admin, a tenant, or either (a command the API answers for both). */
export type TokenKind = 'admin' | 'tenant' | 'either';

const TOKEN_SOURCES: Record<TokenKind, { env: string[]; missing: string }> = {
  admin: { env: ['ADMIN_TOKEN', 'HOOKRELAY_TOKEN'], missing: 'no admin token: pass --token or set ADMIN_TOKEN (or HOOKRELAY_TOKEN)' },
  tenant: { env: ['HOOKRELAY_TOKEN'], missing: 'no tenant API key: pass --token or set HOOKRELAY_TOKEN' },
  // A tenant key first: it reads more (each attempt of a delivery) than the admin token.
  either: { env: ['HOOKRELAY_TOKEN', 'ADMIN_TOKEN'], missing: 'no token: pass --token or set HOOKRELAY_TOKEN (a tenant API key) or ADMIN_TOKEN' },
};

/** The API's base URL and the token: --token, else the first of the kind's variables that is set. */
export function resolveConnection(options: GlobalOptions, kind: TokenKind, env: NodeJS.ProcessEnv = process.env) {
  const fromEnv = (name: string) => (env[name] ? env[name] : undefined);
  const sources = TOKEN_SOURCES[kind];
  const token = options.token ?? sources.env.map(fromEnv).find((value) => value !== undefined);
  if (!token) throw new CliError(sources.missing);
  return { api: options.api ?? fromEnv('HOOKRELAY_API') ?? DEFAULT_API, token };
}
