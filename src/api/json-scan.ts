// The scan behind json-body.ts: one pass over a JSON text (already accepted by JSON.parse) that finds
// duplicate keys, naming their paths, and keeps the source span of every container near the top, without
// recursion and without turning a key into a string unless it must be compared or named.
import type { ErrorDetail } from './errors.js';
import { AFTER, CHUNK_BITS, CHUNK_SIZE, Containers, END, FIELDS, SPAN_DEPTH } from './json-containers.js';
import { decodedKey, listHas, memberPath } from './json-keys.js';

// Declared in this module, not imported: run unbundled (tsx, vitest), an imported binding is read through
// its module's cell at every use, and the loop compares every character of the body with these.
const QUOTE = 0x22;
const COMMA = 0x2c;
const OPEN_BRACKET = 0x5b;
const BACKSLASH = 0x5c;
const CLOSE_BRACKET = 0x5d;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;

const MAX_DETAILS = 20;
/** Up to this many keys an object's keys are compared one by one where they are in the text; past it, in a Set. */
const LIST_KEYS = 8;

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
