// Keys read where they are in a JSON text (one JSON.parse accepted): a key's value, whether two keys are
// the same, and the name of a duplicate key's path.

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** The value of the key whose opening quote is at `open` (`"\u006b"` is `k`). */
export function keyText(text: string, open: number): string {
  let close = open + 1;
  let escaped = false;
  for (; close < text.length; close++) {
    const c = text.charCodeAt(close);
    if (c === QUOTE) break;
    if (c === BACKSLASH) {
      escaped = true;
      close++;
    }
  }
  return escaped ? decodedKey(text, open, close) : text.slice(open + 1, close);
}

/** An escaped key's value; the text as written if it cannot be read (never, in a body JSON.parse accepted). */
export function decodedKey(text: string, open: number, close: number): string {
  try {
    const value: unknown = JSON.parse(text.slice(open, close + 1));
    if (typeof value === 'string') return value;
  } catch {
    // The text as written still names the key.
  }
  return text.slice(open + 1, close);
}

/** Whether the unescaped key with quotes at `open` and `close` is `value`. */
function spells(text: string, open: number, close: number, value: string): boolean {
  if (close - open - 1 !== value.length) return false;
  for (let k = 0; k < value.length; k++) if (text.charCodeAt(open + 1 + k) !== value.charCodeAt(k)) return false;
  return true;
}

/** Whether the unescaped keys with opening quotes at `a` and `b` and `size` characters each are the same. */
function sameText(text: string, a: number, b: number, size: number): boolean {
  for (let k = 1; k <= size; k++) if (text.charCodeAt(a + k) !== text.charCodeAt(b + k)) return false;
  return true;
}

/**
 * Whether the keys `from` to `to` on the key stack (their quotes' offsets, and the decoded value of one
 * with an escape, '' for one without: an escape always decodes to a character) include the key whose
 * quotes are at `open` and `close` (`value`: decoded, or '').
 */
export function listHas(
  text: string,
  opens: number[],
  closes: number[],
  values: string[],
  from: number,
  to: number,
  open: number,
  close: number,
  value: string,
): boolean {
  for (let k = from; k < to; k++) {
    const otherOpen = opens[k]!;
    const otherClose = closes[k]!;
    const other = values[k]!;
    let same: boolean;
    if (value !== '') same = other !== '' ? value === other : spells(text, otherOpen, otherClose, value);
    else if (other !== '') same = spells(text, open, close, other);
    else same = otherClose - otherOpen === close - open && sameText(text, otherOpen, open, close - open - 1);
    if (same) return true;
  }
  return false;
}

/** The name of a duplicate key: the indices and keys down to the object at `level` (see `at`), then the key. */
export function memberPath(text: string, level: number, at: number[], key: string): string {
  let path = '';
  for (let l = 0; l < level; l++) {
    const place = at[l]!;
    path += (place >= 0 ? String(place) : keyText(text, -1 - place)) + '.';
  }
  return path + key;
}
