// The scan behind json-body.ts: one pass over a JSON text (already accepted by JSON.parse) that finds
// duplicate keys, naming their paths, and keeps the source span of every container near the top, without
// recursion and without turning a key into a string unless it must be compared or named.
import type { ErrorDetail } from './errors.js';

/** Where a value sits in a JSON text: object keys and array indices, from the top. */
export type JsonPath = ReadonlyArray<string | number>;

/** Objects this many steps from the top or fewer keep their source span: `payload` (1) and `events.<i>.payload` (3). */
const SPAN_DEPTH = 3;
const MAX_DETAILS = 20;
/** Up to this many keys an object's keys are compared one by one where they are in the text; past it, in a Set. */
const LIST_KEYS = 8;

const QUOTE = 0x22;
const COMMA = 0x2c;
const OPEN_BRACKET = 0x5b;
const BACKSLASH = 0x5c;
const CLOSE_BRACKET = 0x5d;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;

// A shallow container is four numbers: where it starts, where it ends (-1 until it closes), how many
// containers there were once it closed (its next sibling's number: its children are found by jumping
// over their descendants), and its place in its parent: the index in an array, `-1 - offset of the key's
// opening quote` in an object. They are kept in chunks of CHUNK_SIZE containers: one list for a body of
// many small objects would outgrow V8's young generation, and allocating it there costs more than the scan.
const FIELDS = 4;
const START = 0;
const END = 1;
const AFTER = 2;
const PLACE = 3;
const CHUNK_BITS = 10;
const CHUNK_SIZE = 1 << CHUNK_BITS;

/**
 * The containers down to SPAN_DEPTH in the order they open (the arrays too, for a path to go through
 * them). A container's children are indexed by key the first time a lookup goes through it, so no key
 * is turned into a string while the body is scanned.
 */
export class Containers {
  private readonly children = new Map<number, Map<string, number>>();

  constructor(
    private readonly text: string,
    private readonly chunks: number[][],
    private readonly count: number,
  ) {}

  /** [start, end) of the object at `path`, if the body has one there. */
  objectSpan(path: JsonPath): [number, number] | undefined {
    if (this.count === 0) return undefined;
    let id = 0;
    for (const step of path) {
      const next = this.childrenOf(id).get(String(step));
      if (next === undefined) return undefined;
      id = next;
    }
    const start = this.field(id, START);
    const end = this.field(id, END);
    if (end === -1 || this.text.charCodeAt(start) !== OPEN_BRACE) return undefined;
    return [start, end];
  }

  private field(id: number, field: number): number {
    return this.chunks[id >> CHUNK_BITS]?.[(id & (CHUNK_SIZE - 1)) * FIELDS + field] ?? -1;
  }

  private childrenOf(id: number): Map<string, number> {
    let children = this.children.get(id);
    if (children) return children;
    children = new Map();
    const after = this.field(id, AFTER);
    const last = after === -1 ? this.count : after;
    let child = id + 1;
    while (child < last) {
      const place = this.field(child, PLACE);
      const step = place < 0 ? keyText(this.text, -1 - place) : String(place);
      // Of duplicate keys the first: the body is refused anyway, this only keeps the lookup defined.
      if (!children.has(step)) children.set(step, child);
      const next = this.field(child, AFTER);
      // A child that never closed (only in text JSON.parse refused) ends the walk instead of sending it round.
      if (next <= child) break;
      child = next;
    }
    this.children.set(id, children);
    return children;
  }
}

/** The index of the quote that closes the string whose contents start at `from`, or -1. */
function stringEnd(text: string, from: number): number {
  let quote = text.indexOf('"', from);
  while (quote !== -1) {
    // Escaped only after an odd run of backslashes (`"a\\"` ends at its last quote). A run stops at the
    // previous quote at the latest, so no character is looked at more than twice.
    let before = quote - 1;
    while (before >= from && text.charCodeAt(before) === BACKSLASH) before--;
    if ((quote - 1 - before) % 2 === 0) return quote;
    quote = text.indexOf('"', quote + 1);
  }
  return -1;
}

/** The value of the key whose opening quote is at `open` (`"\u006b"` is `k`). */
function keyText(text: string, open: number): string {
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
function decodedKey(text: string, open: number, close: number): string {
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
function listHas(
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
function memberPath(text: string, level: number, at: number[], key: string): string {
  let path = '';
  for (let l = 0; l < level; l++) {
    const place = at[l]!;
    path += (place >= 0 ? String(place) : keyText(text, -1 - place)) + '.';
  }
  return path + key;
}

/**
 * One pass over text JSON.parse already accepted, without recursion: a stack of open containers, string
 * contents skipped with indexOf, keys compared where they are in the text (one with an escape decoded
 * once), and a path turned into a string only to name a duplicate key. A level costs two numbers, so
 * nesting as deep as JSON.parse accepts is no burden. Whatever the input, it stops at its end.
 */
export function scanText(text: string): { details: ErrorDetail[]; containers: Containers } {
  const details: ErrorDetail[] = [];
  const length = text.length;
  let chunk: number[] = [];
  const chunks = [chunk];
  let count = 0;
  // Per open container, by level (0 is the top): where it is, as a container's PLACE is kept (the index in
  // an array, -1 - the current key's opening quote in an object, -1 before its first key), and, for an
  // object, where its keys begin on the key stack (-1 once they moved to a Set, past LIST_KEYS).
  const at: number[] = [];
  const keyBase: number[] = [];
  const containerAt: number[] = [];
  // The keys of the open objects, innermost last, LIST_KEYS at most each: compared where they are in the
  // text, without a string or a list per object.
  const keyOpens: number[] = [];
  const keyCloses: number[] = [];
  const keyValues: string[] = [];
  let keyTop = 0;
  const keySets = new Map<number, Set<string>>();
  let level = -1;
  let expectKey = false;

  for (let i = 0; i < length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      if (!expectKey) {
        const end = stringEnd(text, i + 1);
        if (end === -1) break;
        i = end;
        continue;
      }
      expectKey = false;
      let close = i + 1;
      let escaped = false;
      for (; close < length; close++) {
        const k = text.charCodeAt(close);
        if (k === QUOTE) break;
        if (k === BACKSLASH) {
          escaped = true;
          close++;
        }
      }
      if (close >= length || level < 0) break;
      const value = escaped ? decodedKey(text, i, close) : '';
      const base = keyBase[level]!;
      let duplicate: boolean;
      if (base === -1) {
        const key = value || text.slice(i + 1, close);
        const set = keySets.get(level);
        duplicate = set !== undefined && set.has(key);
        if (!duplicate) set?.add(key);
      } else {
        duplicate = listHas(text, keyOpens, keyCloses, keyValues, base, keyTop, i, close, value);
        if (!duplicate && keyTop - base < LIST_KEYS) {
          if (keyTop === keyOpens.length) {
            keyOpens.push(i);
            keyCloses.push(close);
            keyValues.push(value);
          } else {
            keyOpens[keyTop] = i;
            keyCloses[keyTop] = close;
            keyValues[keyTop] = value;
          }
          keyTop++;
        } else if (!duplicate) {
          const set = new Set<string>();
          for (let k = base; k < keyTop; k++) set.add(keyValues[k] || text.slice(keyOpens[k]! + 1, keyCloses[k]));
          set.add(value || text.slice(i + 1, close));
          keySets.set(level, set);
          keyBase[level] = -1;
          keyTop = base;
        }
      }
      if (duplicate && details.length < MAX_DETAILS) {
        details.push({ path: memberPath(text, level, at, value || text.slice(i + 1, close)), message: 'duplicate key' });
      }
      at[level] = -1 - i;
      i = close;
    } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      const array = c === OPEN_BRACKET;
      level++;
      if (level < SPAN_DEPTH || (level === SPAN_DEPTH && !array)) {
        if (count === chunks.length * CHUNK_SIZE) {
          chunk = [];
          chunks.push(chunk);
        }
        containerAt[level] = count++;
        chunk.push(i, -1, -1, level === 0 ? 0 : at[level - 1]!);
      } else if (level <= SPAN_DEPTH) {
        containerAt[level] = -1;
      }
      if (level === at.length) {
        at.push(array ? 0 : -1);
        keyBase.push(keyTop);
      } else {
        at[level] = array ? 0 : -1;
        keyBase[level] = keyTop;
      }
      expectKey = !array;
    } else if (c === COMMA) {
      if (level < 0) continue;
      if (at[level]! >= 0) at[level]!++;
      else expectKey = true;
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      if (level < 0) continue;
      if (level <= SPAN_DEPTH) {
        const id = containerAt[level]!;
        if (id !== -1) {
          const record = chunks[id >> CHUNK_BITS]!;
          const base = (id & (CHUNK_SIZE - 1)) * FIELDS;
          record[base + END] = i + 1;
          record[base + AFTER] = count;
        }
      }
      const base = keyBase[level]!;
      if (base === -1) keySets.delete(level);
      else keyTop = base;
      level--;
      expectKey = false;
    }
  }
  return { details, containers: new Containers(text, chunks, count) };
}
