type JsonObject = Record<string, unknown>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Payload keys are data, never object machinery: a key is renamed only by the map's own entry (not
 * `constructor` or `toString` inherited from Object.prototype), and every key, `__proto__` included,
 * is defined as an own property (assignment of `__proto__` would set the prototype and drop the key).
 */
function renameKeys(source: JsonObject, fieldMap: Record<string, string>): JsonObject {
  const renamed: JsonObject = {};
  for (const [key, value] of Object.entries(source)) {
    const name = Object.hasOwn(fieldMap, key) ? fieldMap[key]! : key;
    Object.defineProperty(renamed, name, { value, enumerable: true, writable: true, configurable: true });
  }
  return renamed;
}

/**
 * Field renaming for receivers that want other key names: keys of `payload.data` when the payload
 * has a `data` object, else keys of the payload's top level. Key order is kept.
 */
export function applyFieldMap(payload: JsonObject, fieldMap: Record<string, string>): JsonObject {
  if (Object.keys(fieldMap).length === 0) return payload;
  if (Object.hasOwn(payload, 'data') && isObject(payload.data)) {
    // Spread copies own keys as data properties, `__proto__` included.
    return { ...payload, data: renameKeys(payload.data, fieldMap) };
  }
  return renameKeys(payload, fieldMap);
}
