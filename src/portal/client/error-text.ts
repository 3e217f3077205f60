// What went wrong, in the tenant's words: no HTTP status, error code or API path on the page. The API's own
// message is kept where it speaks of what the user did (a 400's field messages, a 409); everything else is
// said by what it means for them.
import { ApiFailure, type ErrorDetail } from './api.js';

/** A field path the page has no label for, as words: `retry_policy.maximum_attempts` → "Maximum attempts". */
export function fieldWords(path: string): string {
  const last =
    path
      .split('.')
      .filter((part) => !/^\d+$/.test(part))
      .pop() ?? '';
  const words = last.replace(/_/g, ' ').trim();
  return words ? words[0]!.toUpperCase() + words.slice(1) : 'The request';
}

/** The sentence for an error; a 400's fields are listed beside it by the caller (see `detailsOf`). */
export function errorText(error: unknown): string {
  if (!(error instanceof ApiFailure)) return error instanceof Error ? error.message : String(error);
  const { status, code } = error;
  if (status === 0) return 'We could not reach the server. Check your connection and try again.';
  if (status === 400) return error.details.length ? 'Some of what you entered needs changing:' : sentence(error.message);
  if (status === 401) return 'Your session has ended. Open this page again from your dashboard.';
  if (code === 'csrf_token_invalid') return 'This page is out of date. Reload it and try again.';
  if (status === 403) return 'This is not allowed from here.';
  if (status === 404) return 'Not found: it may have been deleted, or the address is wrong.';
  if (status === 409 || status === 422) return sentence(error.message);
  if (status === 413) return 'That is too large to send.';
  if (status === 429) return 'Too many requests at once. Wait a moment and try again.';
  if (status >= 500) return 'Something went wrong on our side. Try again in a moment.';
  return sentence(error.message);
}

/** A 400's fields with what is wrong with each, named in words. */
export function detailsOf(error: unknown, label: (path: string) => string | undefined = () => undefined): { label: string; message: string }[] {
  if (!(error instanceof ApiFailure) || error.status !== 400) return [];
  return error.details.map((d: ErrorDetail) => ({ label: label(d.path) ?? fieldWords(d.path), message: d.message }));
}

const sentence = (text: string) => (text ? text[0]!.toUpperCase() + text.slice(1) + (/[.!?]$/.test(text) ? '' : '.') : '');
