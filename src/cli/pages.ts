// One page of a long list (deliveries, audit entries): `--limit` and `--cursor` as the API takes them, and
// the command that reads the next page printed after the rows.
import type { Command } from 'commander';
import { numberOrText } from './options.js';
import type { Output } from './output.js';

export interface PageOptions {
  limit?: string;
  cursor?: string;
}

export function addPageOptions(command: Command): Command {
  return command
    .option('--limit <n>', 'at most this many rows (default and bounds: the API’s)')
    .option('--cursor <cursor>', 'the page after the one that printed this cursor');
}

/** The page query: values as given, so the API names one it does not take. */
export function pageQuery(options: PageOptions): { limit?: number; cursor?: string } {
  return {
    ...(options.limit !== undefined ? { limit: numberOrText(options.limit) as number } : {}),
    ...(options.cursor !== undefined ? { cursor: options.cursor } : {}),
  };
}

/** After the rows: how to read the next page, when there is one. */
export function printNextPage(out: Output, nextCursor: string | null): void {
  if (nextCursor) out.line(out.dim(`more: add --cursor ${nextCursor}`));
}
