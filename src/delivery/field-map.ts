type JsonObject = Record<string, unknown>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function renameKeys(source: JsonObject, fieldMap: Record<string, string>): JsonObject {
  const renamed: JsonObject = {};
  for (const [key, value] of Object.entries(source)) renamed[fieldMap[key] ?? key] = value;
  return renamed;
}

/**
 * Rownd-style field renaming: keys of `payload.data` when the payload has a `data` object,
 * else keys of the payload's top level. Key order is kept.
 */
export function applyFieldMap(payload: JsonObject, fieldMap: Record<string, string>): JsonObject {
  if (Object.keys(fieldMap).length === 0) return payload;
  if (isObject(payload.data)) return { ...payload, data: renameKeys(payload.data, fieldMap) };
  return renameKeys(payload, fieldMap);
}
