import { canonicalJson } from './canonical-json.js';

describe('canonicalJson', () => {
  describe('objects', () => {
    it('sorts members by key and writes no whitespace, at every depth', () => {
      expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: null } })).toBe('{"a":{"c":null,"d":[3,{"y":2,"z":1}]},"b":1}');
    });

    it('gives the same text whatever order the members were written in', () => {
      const one = { procedureCode: '1.001612', authorityCode: '74', to: 'FULL_PROCESS', from: 'PARTIAL' };
      const other = { from: 'PARTIAL', to: 'FULL_PROCESS', authorityCode: '74', procedureCode: '1.001612' };
      expect(canonicalJson(one)).toBe(canonicalJson(other));
    });

    it('sorts keys by UTF-16 code units, as RFC 8785 does (not by code points, not by locale)', () => {
      // 'é' U+00E9 < '😀' U+1F600 (surrogates D83D DE00) < '｡' U+FF61 in code units; by code points ｡ would come before 😀.
      const value = { '\uff61': 3, '😀': 2, é: 1, Z: 0, a: 0, 'địa chỉ': 4, 'Địa': 5, dia: 6 };
      expect(Object.keys(JSON.parse(canonicalJson(value)))).toEqual(['Z', 'a', 'dia', 'é', 'Địa', 'địa chỉ', '😀', '\uff61']);
    });

    it('compares keys precomposed and decomposed as the different strings they are', () => {
      const nfc = 'Thủ tục'.normalize('NFC');
      const nfd = 'Thủ tục'.normalize('NFD');
      expect(canonicalJson({ [nfc]: 1 })).not.toBe(canonicalJson({ [nfd]: 1 }));
      expect(canonicalJson({ [nfc]: 1, [nfd]: 2 })).toBe(`{${JSON.stringify(nfd)}:2,${JSON.stringify(nfc)}:1}`);
    });

    it('drops members that are undefined, functions or symbols, as JSON.stringify does', () => {
      expect(canonicalJson({ a: undefined, b: () => 1, c: Symbol('s'), d: 1 })).toBe('{"d":1}');
      expect(canonicalJson({})).toBe('{}');
    });
  });

  describe('arrays', () => {
    it('keeps their order, and writes undefined, functions and symbols as null', () => {
      expect(canonicalJson([3, 1, 2])).toBe('[3,1,2]');
      expect(canonicalJson([undefined, () => 1, Symbol('s'), 'x'])).toBe('[null,null,null,"x"]');
      expect(canonicalJson([])).toBe('[]');
    });

    it('writes the holes of a sparse array as null, as JSON.stringify does', () => {
      const sparse = [1, , 3];
      expect(canonicalJson(sparse)).toBe('[1,null,3]');
      expect(canonicalJson(sparse)).toBe(canonicalJson(JSON.parse(JSON.stringify(sparse))));
    });
  });

  describe('numbers', () => {
    it.each([
      [0, '0'],
      [-0, '0'],
      [74, '74'],
      [-1, '-1'],
      [0.1, '0.1'],
      [0.1 + 0.2, '0.30000000000000004'],
      [2.5, '2.5'],
      [1.5e-7, '1.5e-7'],
      [0.000001, '0.000001'],
      [1e-7, '1e-7'],
      [1e21, '1e+21'],
      [1e20, '100000000000000000000'],
      [9007199254740991, '9007199254740991'],
      [2 ** 60, '1152921504606847000'],
      [333333333.33333329, '333333333.3333333'],
      [5e-324, '5e-324'],
      [1.7976931348623157e308, '1.7976931348623157e+308'],
    ])('writes %p as %s (ECMAScript shortest round-trip form)', (value, text) => {
      expect(canonicalJson(value)).toBe(text);
      expect(Number(text)).toBe(value === 0 ? 0 : value);
    });

    it('writes NaN and the infinities as null, as JSON.stringify does (and as a store keeps them)', () => {
      expect(canonicalJson([NaN, Infinity, -Infinity])).toBe('[null,null,null]');
    });

    it('refuses a BigInt', () => {
      expect(() => canonicalJson({ n: 10n })).toThrow(TypeError);
    });
  });

  describe('strings', () => {
    it('escapes only quote, backslash and control characters, in lowercase hex', () => {
      expect(canonicalJson('quote " backslash \\ slash / tab \t nl \n cr \r bell \u0007 us \u001f del \u007f')).toBe(
        '"quote \\" backslash \\\\ slash / tab \\t nl \\n cr \\r bell \\u0007 us \\u001f del \u007f"',
      );
    });

    it('writes Vietnamese, emoji, right-to-left text and zero-width characters as themselves', () => {
      const text = 'Cấp giấy phép xây dựng 👨‍👩‍👧‍👦 🇻🇳 مرحبا \u200Fשלום\u200E a\u200Bb\uFEFFc 越南';
      expect(canonicalJson(text)).toBe(`"${text}"`);
    });

    it('escapes a lone surrogate as JSON.stringify does', () => {
      expect(canonicalJson('a\ud800b')).toBe('"a\\ud800b"');
    });
  });

  describe('other values', () => {
    it('writes literals, and honours toJSON (a Date becomes its ISO string)', () => {
      expect(canonicalJson([null, true, false])).toBe('[null,true,false]');
      expect(canonicalJson({ at: new Date('2023-06-01T00:00:00.000Z') })).toBe('{"at":"2023-06-01T00:00:00.000Z"}');
      expect(canonicalJson({ x: { toJSON: (key: string) => `key:${key}` } })).toBe('{"x":"key:x"}');
    });

    it('unwraps boxed primitives', () => {
      expect(canonicalJson([new Number(1), new String('s'), new Boolean(false)])).toBe('[1,"s",false]');
    });

    it('refuses undefined at the top and cyclic structures, but accepts shared ones', () => {
      expect(() => canonicalJson(undefined)).toThrow(TypeError);
      const cyclic: Record<string, unknown> = {};
      cyclic.self = cyclic;
      expect(() => canonicalJson(cyclic)).toThrow(TypeError);
      const shared = { n: 1 };
      expect(canonicalJson({ a: shared, b: [shared] })).toBe('{"a":{"n":1},"b":[{"n":1}]}');
    });
  });

  it('gives the RFC 8785 example its canonical form', () => {
    const input =
      '{"numbers":[333333333.33333329,1E30,4.50,2e-3,0.000000000000000000000000001],' +
      '"string":"\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/","literals":[null,true,false]}';
    expect(canonicalJson(JSON.parse(input))).toBe(
      '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}',
    );
  });

  it('is stable through a JSON round trip, as a store gives values back', () => {
    const values: unknown[] = [
      { tenThuTuc: 'Đăng ký thành lập hộ kinh doanh', n: [1, 2.5, -0, 1e21, 1.5e-7], nested: { z: { y: { x: [null, true] } } } },
      { a: undefined, b: [undefined, NaN], c: new Date(0), 'địa chỉ': { 'phường/xã': 'Bến Nghé' } },
      ['🇻🇳', '', 'ـ', { '': 'empty key' }],
      'plain',
      42,
      null,
    ];
    for (const value of values) expect(canonicalJson(JSON.parse(JSON.stringify(value)))).toBe(canonicalJson(value));
  });
});
