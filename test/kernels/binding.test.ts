// The addon's own argument checks, called directly (the lib/kernels wrappers check types
// and sizes first and would mask a binding that reinterprets a TypedArray as another type).
import { describe, expect, it } from 'vitest';
import { addon } from '../../lib/kernels/addon.js';

type Im = { data: ArrayBufferView; width: number; height: number };
const im = <T extends ArrayBufferView>(data: T, width = 4, height = 3): Im => ({ data, width, height });
const u8 = () => im(new Uint8Array(12));
const u16 = () => im(new Uint16Array(12));
const u32 = () => im(new Uint32Array(12));
const f32 = () => im(new Float32Array(12));
const f64 = () => im(new Float64Array(12));

// Each binding with one image argument replaced: `bad` builds the call with the argument
// given as `arg`; `good` is a type the binding accepts there, `wrong` one it refuses.
interface Case {
  name: string;
  arg: string;
  good: () => Im;
  wrong: () => Im;
  call: (arg: Im) => unknown;
}

const a = () => addon();
const cases: Case[] = [
  { name: 'connectedComponents', arg: 'mask', good: u8, wrong: f32, call: (x) => a().connectedComponents(x, 8, 1, false, 1) },
  { name: 'distanceTransform', arg: 'mask', good: u8, wrong: u16, call: (x) => a().distanceTransform(x, 1, 1) },
  { name: 'binaryMorphology', arg: 'mask', good: u8, wrong: f32, call: (x) => a().binaryMorphology(x, 'dilate', 1, 1) },
  { name: 'maxFilter', arg: 'image', good: f32, wrong: u8, call: (x) => a().maxFilter(x, 1, 1) },
  { name: 'watershed', arg: 'markers', good: u32, wrong: u16, call: (x) => a().watershed(u8(), x, null, 4, false) },
  { name: 'watershed', arg: 'mask', good: u8, wrong: f32, call: (x) => a().watershed(u8(), u32(), x, 4, false) },
  { name: 'watershed', arg: 'elevation', good: f32, wrong: f64, call: (x) => a().watershed(x, u32(), null, 4, false) },
  { name: 'mergeTileInstances', arg: 'canvas', good: u32, wrong: u16, call: (x) => a().mergeTileInstances(x, u32(), 0, 0, 1, 0.5) },
  { name: 'mergeTileInstances', arg: 'tile', good: u32, wrong: f32, call: (x) => a().mergeTileInstances(u32(), x, 0, 0, 1, 0.5) },
  { name: 'measureRegions', arg: 'labels', good: u16, wrong: u8, call: (x) => a().measureRegions(x, null, 1) },
  { name: 'measureRegions', arg: 'intensity', good: f32, wrong: f64, call: (x) => a().measureRegions(u32(), x, 1) },
  { name: 'labelOverlap', arg: 'gt', good: u16, wrong: f32, call: (x) => a().labelOverlap(x, u32(), 1, 1) },
  { name: 'labelOverlap', arg: 'pred', good: u32, wrong: u8, call: (x) => a().labelOverlap(u16(), x, 1, 1) },
  { name: 'regionStats', arg: 'labels', good: u32, wrong: f32, call: (x) => a().regionStats(x, 1) },
  { name: 'fillHoles', arg: 'labels', good: u16, wrong: u8, call: (x) => a().fillHoles(x, 1) },
  { name: 'normalizedDistance', arg: 'labels', good: u32, wrong: f32, call: (x) => a().normalizedDistance(x, 1) },
  { name: 'gaussianBlur', arg: 'image', good: u16, wrong: f64, call: (x) => a().gaussianBlur(x, 1, 4, 1) },
  { name: 'resize', arg: 'image', good: u32, wrong: f64, call: (x) => a().resize(x, 2, 2, 'area', 1) },
  { name: 'nonzeroMask', arg: 'image', good: f64, wrong: () => im(new Uint8ClampedArray(12)), call: (x) => a().nonzeroMask(x) },
  {
    name: 'augmentRois',
    arg: 'sources[0].labels',
    good: u32,
    wrong: u16,
    call: (x) => a().augmentRois([{ image: f32(), labels: x, set: 0, split: 0, zoom: 1 }], new Uint8Array(0), new Uint8Array(0), { roi: 8, shoulder: 0 }, 1, 0, 1),
  },
];

const label = (c: Case) => `${c.name}: ${c.arg}`;
const escape = (s: string) => s.replace(/[[\].]/g, '\\$&');

describe('the binding layer checks every image argument itself', () => {
  it.each(cases.map((c) => [label(c), c] as const))('%s: the accepted type runs', (_, c) => {
    expect(() => c.call(c.good())).not.toThrow();
  });

  it.each(cases.map((c) => [label(c), c] as const))('%s: another TypedArray type is a TypeError naming the argument and both types', (_, c) => {
    const wrong = c.wrong();
    const given = wrong.data.constructor.name;
    expect(() => c.call(wrong)).toThrow(TypeError);
    expect(() => c.call(wrong)).toThrow(new RegExp(`^${escape(label(c))} must be .*${c.good().data.constructor.name}.*, not ${given}$`));
  });

  it.each(cases.map((c) => [label(c), c] as const))('%s: too few values for width x height is a RangeError', (_, c) => {
    const short = c.good();
    const Ctor = short.data.constructor as new (n: number) => ArrayBufferView;
    const bad = { ...short, data: new Ctor(11) };
    expect(() => c.call(bad)).toThrow(RangeError);
    expect(() => c.call(bad)).toThrow(new RegExp(`^${escape(label(c))} has 11 values, expected 4x3 = 12$`));
  });

  it.each(cases.map((c) => [label(c), c] as const))('%s: the accepted type in a SharedArrayBuffer runs (workers share fields so)', (_, c) => {
    const good = c.good();
    const Ctor = good.data.constructor as new (b: SharedArrayBuffer) => ArrayBufferView;
    expect(() => c.call({ ...good, data: new Ctor(new SharedArrayBuffer(good.data.byteLength)) })).not.toThrow();
  });

  it('a SharedArrayBuffer view is read in place, from its own offset', () => {
    const sab = new SharedArrayBuffer(16 + 12);
    const buf = new Uint8Array(sab);
    buf.set([1, 0, 0, 1, 1, 0, 0, 0, 0, 0, 1, 1], 16);
    const shared = a().connectedComponents(im(buf.subarray(16)), 8, 1, false, 1);
    const plain = a().connectedComponents(im(Uint8Array.from(buf.subarray(16))), 8, 1, false, 1);
    expect(shared.count).toBe(3);
    expect(Array.from(shared.labels.data)).toEqual(Array.from(plain.labels.data));
    const out = im(new Uint32Array(new SharedArrayBuffer(48)));
    expect(a().connectedComponents(im(buf.subarray(16)), 8, 1, false, 1, out).labels.data).toBe(out.data);
    expect(Array.from(out.data as Uint32Array)).toEqual(Array.from(plain.labels.data));
  });

  it('optional images of another size are refused by the C++ kernel itself (an ArgumentError, as a RangeError)', () => {
    const small = im(new Uint8Array(6), 3, 2);
    expect(() => a().watershed(u8(), u32(), small, 4, false)).toThrow(RangeError);
    expect(() => a().watershed(u8(), u32(), small, 4, false)).toThrow(/^watershed: mask: image sizes differ \(4x3 vs 3x2\)$/);
    const tall = im(new Float32Array(12), 3, 4);
    expect(() => a().measureRegions(u32(), tall, 1)).toThrow(RangeError);
    expect(() => a().measureRegions(u32(), tall, 1)).toThrow(/^measure_regions: labels and intensity: image sizes differ \(4x3 vs 3x4\)$/);
  });

  it('a view into a larger buffer is read from its own offset (no copy, no reinterpretation)', () => {
    const buf = new Uint8Array(16 + 12);
    buf.fill(1, 16); // the 4x3 image: all foreground, after 16 bytes of zeros
    const r = a().connectedComponents(im(buf.subarray(16)), 8, 1, false, 1);
    expect(r.count).toBe(1);
    expect(Array.from(r.labels.data)).toEqual(Array(12).fill(1));
  });
});
