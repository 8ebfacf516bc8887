// Arrays made in another realm (a vm context: Jest's test environment makes all of a test's
// arrays so) are what they say they are: `instanceof` is false for them, so the wrappers'
// type checks must not rely on it.
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { readLabels } from '../../lib/image/read.js';
import { connectedComponents } from '../../lib/kernels/components.js';
import { blurredBorder, normalizedDistance } from '../../lib/kernels/distance.js';
import { gaussianBlur } from '../../lib/kernels/filters.js';
import { watershed } from '../../lib/kernels/watershed.js';
import { isTypedArray } from '../../lib/util/typed.js';
import { dsbLabelFiles } from '../helpers/data.js';

// a copy of `a` made in a new vm context
function foreign<T extends ArrayBufferView>(a: T): T {
  const b = runInNewContext(`new ${a.constructor.name}(n)`, { n: (a as unknown as { length: number }).length }) as T;
  (b as unknown as { set(x: T): void }).set(a);
  return b;
}

describe('arrays from another realm', () => {
  it('isTypedArray knows them; instanceof does not', () => {
    const f = foreign(new Uint16Array(3));
    expect(f instanceof Uint16Array).toBe(false);
    expect(isTypedArray(f, Uint16Array)).toBe(true);
    expect(isTypedArray(f, Uint32Array)).toBe(false);
    expect(isTypedArray({ length: 3 }, Uint16Array)).toBe(false);
  });

  it('kernels take them and give the same result as for arrays of this realm', async () => {
    const l = await readLabels(dsbLabelFiles(1)[0]);
    const labels = { data: Uint16Array.from(l.data), width: l.width, height: l.height };
    const there = { ...labels, data: foreign(labels.data) };
    const out = { data: foreign(new Float32Array(l.width * l.height)), width: l.width, height: l.height };
    expect(Array.from(normalizedDistance(there, { out }).data)).toEqual(Array.from(normalizedDistance(labels).data));
    expect(Array.from(blurredBorder(there).data)).toEqual(Array.from(blurredBorder(labels).data));
    const mask = { data: foreign(Uint8Array.from(labels.data, (v) => (v ? 1 : 0))), width: l.width, height: l.height };
    const cc = connectedComponents(mask, { out: { data: foreign(new Uint32Array(l.width * l.height)), width: l.width, height: l.height } });
    expect(cc.count).toBe(connectedComponents({ ...mask, data: Uint8Array.from(mask.data) }).count);
    const markers = { data: foreign(Uint32Array.from(labels.data)), width: l.width, height: l.height };
    const elevation = { data: foreign(new Float32Array(l.width * l.height)), width: l.width, height: l.height };
    expect(() => watershed(elevation, markers, { mask })).not.toThrow();
    expect(gaussianBlur({ ...labels, data: foreign(new Float32Array(labels.data)) }, 1).data.length).toBe(labels.data.length);
  });
});
