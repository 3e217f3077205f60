// Pure: an example payload for an event type, from its JSON Schema: the schema's own `examples[0]` when it
// gives one, otherwise a value built from its keywords (const, default, enum, type, properties, items…).
// A starting point for a tenant's test event and the catalog page; the schema still decides what is valid.

type Schema = Record<string, unknown>;

/** Deep enough for any real payload; a `$ref` cycle stops here instead of recursing forever. */
const MAX_DEPTH = 8;

const STRING_FORMATS: Record<string, string> = {
  'date-time': '2030-01-01T00:00:00Z',
  date: '2030-01-01',
  time: '00:00:00Z',
  email: 'user@example.com',
  uri: 'https://example.com/',
  url: 'https://example.com/',
  uuid: '00000000-0000-4000-8000-000000000000',
  hostname: 'example.com',
  ipv4: '192.0.2.1',
  ipv6: '2001:db8::1',
};

const isSchema = (value: unknown): value is Schema => typeof value === 'object' && value !== null && !Array.isArray(value);

/** A local `$ref` (`#/$defs/x`, `#/definitions/x`) inside `root`; undefined for anything else. */
function resolve(root: Schema, ref: string): Schema | undefined {
  if (!ref.startsWith('#')) return undefined;
  let node: unknown = root;
  for (const part of ref.slice(1).split('/').filter(Boolean)) {
    if (!isSchema(node)) return undefined;
    node = node[part.replaceAll('~1', '/').replaceAll('~0', '~')];
  }
  return isSchema(node) ? node : undefined;
}

function typeOf(schema: Schema): string | undefined {
  const type = schema.type;
  if (typeof type === 'string') return type;
  if (Array.isArray(type)) return type.find((t): t is string => typeof t === 'string' && t !== 'null') ?? 'null';
  if (isSchema(schema.properties) || Array.isArray(schema.required)) return 'object';
  if (schema.items !== undefined || schema.prefixItems !== undefined) return 'array';
  return undefined;
}

function build(root: Schema, schema: unknown, depth: number): unknown {
  if (!isSchema(schema) || depth > MAX_DEPTH) return {};
  if (Array.isArray(schema.examples) && schema.examples.length > 0) return schema.examples[0];
  if ('const' in schema) return schema.const;
  if ('default' in schema) return schema.default;
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return schema.enum[0];
  if (typeof schema.$ref === 'string') {
    const target = resolve(root, schema.$ref);
    if (target) return build(root, { ...target, ...schema, $ref: undefined }, depth + 1);
  }
  for (const key of ['oneOf', 'anyOf'] as const) {
    const options = schema[key];
    if (Array.isArray(options) && options.length > 0) return build(root, options[0], depth + 1);
  }
  if (Array.isArray(schema.allOf) && schema.allOf.length > 0) {
    const parts = schema.allOf.map((part) => build(root, part, depth + 1));
    return parts.every(isSchema) ? Object.assign({}, ...parts) : parts[0];
  }
  switch (typeOf(schema)) {
    case 'object': {
      const properties = isSchema(schema.properties) ? schema.properties : {};
      const required = Array.isArray(schema.required) ? schema.required.filter((r): r is string => typeof r === 'string') : [];
      const names = [...new Set([...required, ...Object.keys(properties)])];
      return Object.fromEntries(names.map((name) => [name, build(root, properties[name] ?? {}, depth + 1)]));
    }
    case 'array': {
      const min = typeof schema.minItems === 'number' ? schema.minItems : 1;
      if (Array.isArray(schema.prefixItems)) return schema.prefixItems.map((item) => build(root, item, depth + 1));
      return Array.from({ length: Math.min(Math.max(min, 1), 3) }, () => build(root, schema.items ?? {}, depth + 1));
    }
    case 'string': {
      const known = typeof schema.format === 'string' ? STRING_FORMATS[schema.format] : undefined;
      if (known) return known;
      const min = typeof schema.minLength === 'number' ? schema.minLength : 0;
      return 'example'.padEnd(min, 'x');
    }
    case 'integer':
    case 'number': {
      const min = typeof schema.minimum === 'number' ? schema.minimum : typeof schema.exclusiveMinimum === 'number' ? schema.exclusiveMinimum + 1 : 0;
      const max = typeof schema.maximum === 'number' ? schema.maximum : undefined;
      const value = max !== undefined && min > max ? max : min;
      return typeOf(schema) === 'integer' ? Math.ceil(value) : value;
    }
    case 'boolean':
      return true;
    case 'null':
      return null;
    default:
      return {};
  }
}

/** An example payload for a type with this schema; `{}` for a type without one. */
export function exampleOf(schema: Schema | boolean | null): unknown {
  return isSchema(schema) ? build(schema, schema, 0) : {};
}
