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
  let value = input;
  if ((typeof value === 'object' && value !== null) || typeof value === 'bigint') {
    const toJSON = (value as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === 'function') value = toJSON.call(value, key);
  }
  // Boxed primitives, as JSON.stringify unwraps them.
  if (value instanceof Number) value = Number(value);
  else if (value instanceof String) value = String(value);
  else if (value instanceof Boolean) value = value.valueOf();

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
  if (value === null) return 'null';

  const object = value as object;
  if (ancestors.has(object)) throw new TypeError('a cyclic structure cannot be represented as JSON');
  ancestors.add(object);
  try {
    if (Array.isArray(object)) {
      return `[${object.map((item, i) => serialise(item, String(i), ancestors) ?? 'null').join(',')}]`;
    }
    const members: string[] = [];
    // Default sort: by UTF-16 code units, as RFC 8785 §3.2.3 requires.
    for (const name of Object.keys(object).sort()) {
      const member = serialise((object as Record<string, unknown>)[name], name, ancestors);
      if (member !== undefined) members.push(`${JSON.stringify(name)}:${member}`);
    }
    return `{${members.join(',')}}`;
  } finally {
    ancestors.delete(object);
  }
}
