import { visit } from 'jsonc-parser';

/**
 * Field renaming for receivers that want other key names: keys of `payload.data` when the payload has a
 * `data` object, else keys of the payload's top level. It works on the payload's JSON text and replaces
 * only the key tokens it renames, so every other byte (number spellings, escapes, spacing, key order)
 * reaches the receiver as the producer posted it. A key is renamed only by the map's own entry (never by
 * a name inherited from Object.prototype, such as `constructor`).
 */
export function applyFieldMap(payload: string, fieldMap: Record<string, string>): string {
  if (Object.keys(fieldMap).length === 0) return payload;
  // Key tokens ([offset, length, new name]) of the top level and of a top-level `data` object.
  const top: Array<[number, number, string]> = [];
  const data: Array<[number, number, string]> = [];
  let dataIsObject = false;
  let depth = 0;
  visit(payload, {
    onObjectBegin(_offset, _length, _line, _char, pathSupplier) {
      depth++;
      if (depth === 2) {
        const path = pathSupplier();
        if (path.length === 1 && path[0] === 'data') dataIsObject = true;
      }
    },
    onObjectEnd() {
      depth--;
    },
    onArrayBegin() {
      depth++;
    },
    onArrayEnd() {
      depth--;
    },
    onObjectProperty(property, offset, length, _line, _char, pathSupplier) {
      if (depth > 2 || !Object.hasOwn(fieldMap, property)) return;
      const rename: [number, number, string] = [offset, length, fieldMap[property]!];
      if (depth === 1) top.push(rename);
      else if (pathSupplier()[0] === 'data') data.push(rename);
    },
  });
  let text = payload;
  // From the end backwards, so the offsets still ahead stay valid.
  for (const [offset, length, name] of (dataIsObject ? data : top).reverse()) {
    text = text.slice(0, offset) + JSON.stringify(name) + text.slice(offset + length);
  }
  return text;
}
