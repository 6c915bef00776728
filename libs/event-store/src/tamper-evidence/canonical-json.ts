/**
 * Canonical JSON: the one text a JSON value has, whatever the order its members were written in, so
 * that a hash of it survives a round trip through PostgreSQL's jsonb (which reorders keys and drops
 * whitespace) or any other store.
 *
 * It is RFC 8785 (JSON Canonicalization Scheme): no whitespace; object members sorted by their keys'
 * UTF-16 code units (JavaScript's default sort, not code points: '\uff61' sorts after '😀' = '\ud83d\ude00');
 * strings and numbers written as ECMAScript's JSON.stringify writes them (shortest round-trip numbers,
 * `1e+21`, `1e-7`, `-0` as `0`; only `"`, `\` and control characters escaped, as `\n` or `\u001f`).
 * Values JSON cannot hold are treated as JSON.stringify treats them, because that is what a store
 * keeps of them: `toJSON` is honoured, `undefined`, functions and symbols are dropped from objects and
 * become `null` in arrays, and NaN and ±Infinity become `null`. So
 * `canonicalJson(x) === canonicalJson(JSON.parse(JSON.stringify(x)))` for every x JSON.stringify accepts.
 *
 * @example
 *   canonicalJson({ b: [1, 2.50, 'Hà Nội'], a: null }) // '{"a":null,"b":[1,2.5,"Hà Nội"]}'
 */
export function canonicalJson(value: unknown): string {
  const text = serialise(value, '', new Set());
  if (text === undefined) throw new TypeError(`${typeof value} cannot be represented as JSON`);
  return text;
}

function serialise(input: unknown, key: string, ancestors: Set<object>): string | undefined {
  // Primitives first: most values of an event are strings and numbers, and only objects and BigInts
  // have a toJSON that JSON.stringify honours, or a boxed value to unwrap.
  if (typeof input !== 'bigint') {
    const text = primitive(input);
    if (text !== OBJECT) return text;
  }
  let value = input;
  const toJSON = (value as { toJSON?: unknown }).toJSON;
  if (typeof toJSON === 'function') value = toJSON.call(value, key);
  // Boxed primitives, as JSON.stringify unwraps them.
  if (value instanceof Number) value = Number(value);
  else if (value instanceof String) value = String(value);
  else if (value instanceof Boolean) value = value.valueOf();
  const text = primitive(value);
  if (text !== OBJECT) return text;

  const object = value as object;
  if (ancestors.has(object)) throw new TypeError('a cyclic structure cannot be represented as JSON');
  ancestors.add(object);
  try {
    if (Array.isArray(object)) {
      let out = '[';
      for (let i = 0; i < object.length; i++) {
        if (i > 0) out += ',';
        out += serialise(object[i], String(i), ancestors) ?? 'null';
      }
      return `${out}]`;
    }
    let out = '{';
    // Default sort: by UTF-16 code units, as RFC 8785 §3.2.3 requires.
    for (const name of Object.keys(object).sort()) {
      const member = serialise((object as Record<string, unknown>)[name], name, ancestors);
      if (member === undefined) continue;
      if (out.length > 1) out += ',';
      out += `${quotedName(name)}:${member}`;
    }
    return `${out}}`;
  } finally {
    ancestors.delete(object);
  }
}

const OBJECT = Symbol('object');

/** The JSON text of a primitive or null (undefined where JSON has none), or OBJECT for an object. */
function primitive(value: unknown): string | undefined | typeof OBJECT {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      return Number.isFinite(value) ? JSON.stringify(value) : 'null';
    case 'boolean':
      return value ? 'true' : 'false';
    case 'bigint':
      throw new TypeError('a BigInt cannot be represented as JSON');
    case 'undefined':
    case 'function':
    case 'symbol':
      return undefined;
  }
  return value === null ? 'null' : OBJECT;
}

/** Member names repeat from one event to the next: their JSON text is kept, up to a bound. */
const quotedNames = new Map<string, string>();
const QUOTED_NAMES_MAX = 10_000;

function quotedName(name: string): string {
  let quoted = quotedNames.get(name);
  if (quoted === undefined) {
    quoted = JSON.stringify(name);
    if (quotedNames.size < QUOTED_NAMES_MAX) quotedNames.set(name, quoted);
  }
  return quoted;
}
