// The spans of the containers near the top of a JSON text, as the scan records them and a lookup by path reads them.
import { keyText } from './json-keys.js';

/** Where a value sits in a JSON text: object keys and array indices, from the top. */
export type JsonPath = ReadonlyArray<string | number>;

/** Objects this many steps from the top or fewer keep their source span: `payload` (1) and `events.<i>.payload` (3). */
export const SPAN_DEPTH = 3;

const OPEN_BRACE = 0x7b;

// A shallow container is four numbers: where it starts, where it ends (-1 until it closes), how many
// containers there were once it closed (its next sibling's number: its children are found by jumping
// over their descendants), and its place in its parent: the index in an array, `-1 - offset of the key's
// opening quote` in an object. They are kept in chunks of CHUNK_SIZE containers: one list for a body of
// many small objects would outgrow V8's young generation, and allocating it there costs more than the scan.
export const FIELDS = 4;
export const START = 0;
export const END = 1;
export const AFTER = 2;
export const PLACE = 3;
export const CHUNK_BITS = 10;
export const CHUNK_SIZE = 1 << CHUNK_BITS;

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
