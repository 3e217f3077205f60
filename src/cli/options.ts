// Parsing of option values the API cannot check for the CLI (the API validates the rest and
// names the field, which the CLI prints).
import { readFileSync } from 'node:fs';
import { CliError } from './errors.js';

export const DEFAULT_API = 'http://localhost:3000';

/**
 * A string map option (`--header`, `--field-map`): repeated `key=value` (the first `=` separates), or one JSON
 * object (or @file), the only way to give an empty map, which a PATCH uses to clear it.
 */
export function parseMapOption(option: string, values: readonly string[]): unknown {
  const [first] = values;
  if (values.length === 1 && first !== undefined && /^\s*[{@]/.test(first)) return parseJsonOption(option, first.trim());
  const map: Record<string, string> = {};
  for (const pair of values) {
    const at = pair.indexOf('=');
    if (at <= 0) throw new CliError(`${option} expects key=value (repeatable) or one JSON object, got "${pair}"`);
    map[pair.slice(0, at).trim()] = pair.slice(at + 1);
  }
  return map;
}

/** `--rate-limit 100/1m` (requests per period) or a JSON object; the API checks the numbers and the period. */
export function parseRateLimit(text: string): unknown {
  const trimmed = text.trim();
  if (/^[{@]/.test(trimmed)) return parseJsonOption('--rate-limit', trimmed);
  const match = /^(\S+)\/(\S+)$/.exec(trimmed);
  if (!match) throw new CliError(`--rate-limit expects <requests>/<period> (e.g. 100/1m) or a JSON object, got "${text}"`);
  return { requests: numberOrText(match[1]!), per: match[2] };
}

/** `--enabled` / `--disabled`: true, false, or undefined when neither is given. */
export function enabledOption(options: { enabled?: boolean; disabled?: boolean }): boolean | undefined {
  if (options.enabled && options.disabled) throw new CliError('--enabled and --disabled exclude each other');
  if (options.enabled) return true;
  if (options.disabled) return false;
  return undefined;
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

/**
 * The token a command takes: a producer credential (`admin`: the admin token or a producer key), a tenant's API
 * key, or either (a route the API answers for both).
 */
export type TokenKind = 'admin' | 'tenant' | 'either';

const TOKEN_SOURCES: Record<TokenKind, { env: string[]; missing: string; refused: string }> = {
  admin: {
    env: ['ADMIN_TOKEN', 'HOOKRELAY_TOKEN'],
    missing: 'no admin token: pass --token or set ADMIN_TOKEN (or HOOKRELAY_TOKEN)',
    refused: 'this command takes a producer credential (the admin token or a producer key with the scope): --token, or ADMIN_TOKEN',
  },
  tenant: {
    env: ['HOOKRELAY_TOKEN'],
    missing: 'no tenant API key: pass --token or set HOOKRELAY_TOKEN',
    refused: "this command takes a tenant's API key (hr_…): --token, or HOOKRELAY_TOKEN",
  },
  // A tenant key first: it reads more (each attempt of a delivery) than the admin token.
  either: {
    env: ['HOOKRELAY_TOKEN', 'ADMIN_TOKEN'],
    missing: 'no token: pass --token or set HOOKRELAY_TOKEN (a tenant API key) or ADMIN_TOKEN',
    refused: "this command takes a tenant's API key or a producer credential: --token, HOOKRELAY_TOKEN or ADMIN_TOKEN",
  },
};

/** The line added to a 403 `forbidden` (a credential of the wrong kind or scope): which credential the command takes, and from where. */
export const credentialHint = (kind: TokenKind): string => TOKEN_SOURCES[kind].refused;

/** The API's base URL and the token: --token, else the first of the kind's variables that is set. */
export function resolveConnection(options: GlobalOptions, kind: TokenKind, env: NodeJS.ProcessEnv = process.env) {
  const fromEnv = (name: string) => (env[name] ? env[name] : undefined);
  const sources = TOKEN_SOURCES[kind];
  const token = options.token ?? sources.env.map(fromEnv).find((value) => value !== undefined);
  if (!token) throw new CliError(sources.missing);
  return { api: options.api ?? fromEnv('HOOKRELAY_API') ?? DEFAULT_API, token };
}
