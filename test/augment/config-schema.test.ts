// The augment settings are listed once, in AUGMENT_SETTINGS (lib/augment/config.ts). The
// native struct (native/include/nucseg/augment.hpp) and its reader (native/napi/augment.cpp)
// are checked against it here by reading their source: a setting added, renamed, retyped or
// given another default in one place only fails this file.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AUGMENT_SETTINGS, DEFAULT_CONFIG, validateConfig, type AugmentConfig, type AugmentSetting } from '../../lib/augment/config.js';
import { REPO } from '../helpers/data.js';

type Setting = Readonly<AugmentSetting<unknown>>;
const SETTINGS = Object.entries(AUGMENT_SETTINGS) as [keyof AugmentConfig, Setting][];
const NATIVE = SETTINGS.filter(([, s]) => s.native !== null);

/** The C++ type a setting's native field must have. */
function cppType(s: Setting): string {
  switch (s.kind) {
    case 'int':
      return 'int';
    case 'bool':
      return 'bool';
    case 'weight':
    case 'prob':
      return 'double';
    case 'range':
      return s.whole ? 'int[2]' : 'double[2]';
    case 'scales':
      throw new Error('scales has no native field');
  }
}

/** How native/napi/augment.cpp must read a setting. */
function reader(s: Setting): string {
  if (s.kind === 'range') return s.whole ? 'int_range' : 'range';
  return s.kind === 'int' ? 'int' : s.kind === 'bool' ? 'bool' : 'num';
}

/** Splits at commas outside braces. */
function splitTop(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of text) {
    if (ch === '{') depth++;
    if (ch === '}') depth--;
    if (ch === ',' && depth === 0) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out.map((s) => s.trim());
}

/** The fields of `struct AugmentConfig` in the header: name → { type, default }. */
function parseStruct(header: string): Map<string, { type: string; value: unknown }> {
  const m = /struct AugmentConfig \{([\s\S]*?)\n\};/.exec(header);
  if (!m) throw new Error('struct AugmentConfig not found');
  const body = m[1].replace(/\/\/.*$/gm, '');
  const fields = new Map<string, { type: string; value: unknown }>();
  for (const decl of body.split(';').map((d) => d.trim()).filter(Boolean)) {
    const t = /^(int|double|bool)\s+([\s\S]*)$/.exec(decl);
    if (!t) throw new Error(`cannot read the declaration '${decl}'`);
    for (const d of splitTop(t[2])) {
      const f = /^(\w+)(\[2\])?\s*=\s*(.+)$/s.exec(d);
      if (!f) throw new Error(`cannot read the declarator '${d}' (every field needs a default)`);
      const raw = f[3].trim();
      const value = f[2] ? splitTop(raw.replace(/^\{|\}$/g, '')).map(Number) : raw === 'true' ? true : raw === 'false' ? false : Number(raw);
      if (fields.has(f[1])) throw new Error(`field ${f[1]} declared twice`);
      fields.set(f[1], { type: t[1] + (f[2] ?? ''), value });
    }
  }
  return fields;
}

/** What config_from in the napi file reads: JS key → { field, how }. Any other statement is an error. */
function parseReader(source: string): Map<string, { field: string; how: string }> {
  const m = /AugmentConfig config_from\(const Napi::Object& o\) \{\s*AugmentConfig c;([\s\S]*?)return c;/.exec(source);
  if (!m) throw new Error('config_from not found');
  const reads = new Map<string, { field: string; how: string }>();
  const patterns: [RegExp, string][] = [
    [/^c\.(\w+) = static_cast<int>\(num\(o, "(\w+)", c\.\1\)\)$/, 'int'],
    [/^c\.(\w+) = num\(o, "(\w+)", c\.\1\)$/, 'num'],
    [/^c\.(\w+) = o\.Get\("(\w+)"\)\.IsBoolean\(\) \? o\.Get\("\2"\)\.ToBoolean\(\)\.Value\(\) : c\.\1$/, 'bool'],
    [/^range\(o, "(\w+)", c\.(\w+)\)$/, 'range'],
    [/^int_range\(o, "(\w+)", c\.(\w+)\)$/, 'int_range'],
  ];
  for (const stmt of m[1].split(';').map((s) => s.replace(/\/\/.*$/gm, '').trim()).filter(Boolean)) {
    const hit = patterns.map(([re, how]) => [re.exec(stmt), how] as const).find(([r]) => r);
    if (!hit) throw new Error(`config_from: cannot read '${stmt}'`);
    const [r, how] = hit;
    const [key, field] = how.includes('range') ? [r![1], r![2]] : [r![2], r![1]];
    if (reads.has(key)) throw new Error(`config_from reads ${key} twice`);
    reads.set(key, { field, how });
  }
  return reads;
}

const HEADER = readFileSync(join(REPO, 'native/include/nucseg/augment.hpp'), 'utf8');
const READER = readFileSync(join(REPO, 'native/napi/augment.cpp'), 'utf8');

describe('augment settings: one list, the native code checked against it', () => {
  it('the C++ AugmentConfig has exactly the native settings, with their types and defaults', () => {
    const fields = parseStruct(HEADER);
    const expected = new Map(NATIVE.map(([, s]) => [s.native!, { type: cppType(s), value: s.default }]));
    expect(Object.fromEntries(fields)).toEqual(Object.fromEntries(expected));
  });

  it('native/napi/augment.cpp reads every native setting, under its name, into its field, as its type', () => {
    const reads = parseReader(READER);
    const expected = new Map(NATIVE.map(([k, s]) => [k as string, { field: s.native!, how: reader(s) }]));
    expect(Object.fromEntries(reads)).toEqual(Object.fromEntries(expected));
  });

  it('the parsers see a setting added to one side only', () => {
    const extraField = HEADER.replace('bool flips = true;', 'bool flips = true;\n  double w_sharpen = 1;');
    expect(parseStruct(extraField).size).toBe(parseStruct(HEADER).size + 1);
    const extraRead = READER.replace('return c;\n}', 'c.w_sharpen = num(o, "wSharpen", c.w_sharpen);\n  return c;\n}');
    expect(parseReader(extraRead).get('wSharpen')).toEqual({ field: 'w_sharpen', how: 'num' });
    expect(() => parseReader(READER.replace('return c;\n}', 'c.roi += 1;\n  return c;\n}'))).toThrow(/cannot read/);
  });

  it('DEFAULT_CONFIG is the settings’ defaults and passes validateConfig', () => {
    expect(Object.keys(DEFAULT_CONFIG)).toEqual(SETTINGS.map(([k]) => k));
    for (const [k, s] of SETTINGS) expect(DEFAULT_CONFIG[k]).toEqual(s.default);
    expect(validateConfig(structuredClone(DEFAULT_CONFIG) as AugmentConfig)).toBeTruthy();
  });

  it('validateConfig enforces every bound in the list, and nothing narrower', () => {
    const withValue = (k: keyof AugmentConfig, v: unknown) => ({ ...structuredClone(DEFAULT_CONFIG), [k]: v }) as AugmentConfig;
    let checked = 0;
    for (const [k, s] of SETTINGS) {
      const name = new RegExp(`^config: ${k} `);
      if (s.kind === 'int') {
        for (const ok of [s.lo, s.hi]) expect(() => validateConfig(withValue(k, ok))).not.toThrow();
        for (const bad of [s.lo - 1, s.hi + 1, s.lo + 0.5]) expect(() => validateConfig(withValue(k, bad))).toThrow(name);
      } else if (s.kind === 'range') {
        expect(() => validateConfig(withValue(k, [s.lo, s.hi]))).not.toThrow();
        const step = s.whole ? 1 : (s.hi - s.lo) * 1e-6;
        for (const bad of [[s.lo - step, s.hi], [s.lo, s.hi + step], [s.hi, s.lo]]) expect(() => validateConfig(withValue(k, bad))).toThrow(name);
        if (s.whole) expect(() => validateConfig(withValue(k, [s.lo + 0.5, s.hi]))).toThrow(/whole numbers/);
      } else if (s.kind === 'prob') {
        for (const ok of s.below1 ? [0, 0.999] : [0, 1]) expect(() => validateConfig(withValue(k, ok))).not.toThrow();
        for (const bad of [-0.01, s.below1 ? 1 : 1.01, NaN]) expect(() => validateConfig(withValue(k, bad))).toThrow(name);
      } else if (s.kind === 'scales') {
        expect(() => validateConfig(withValue(k, [s.hi, s.lo + 1e-6]))).not.toThrow();
        for (const bad of [[], [s.lo], [s.hi * 1.001]]) expect(() => validateConfig(withValue(k, bad))).toThrow(name);
      } else continue;
      checked++;
    }
    expect(checked).toBe(SETTINGS.filter(([, s]) => !['bool', 'weight'].includes(s.kind)).length);
    expect(() => validateConfig({ ...structuredClone(DEFAULT_CONFIG), sharpen: 1 } as unknown as AugmentConfig)).toThrow(/sharpen is not a known setting/);
  });
});
