// The optional `out` image of connectedComponents, watershed and the FPN2-WS targets
// (normalizedDistance, blurredBorder): the caller's buffer is
// written in place (no new array, no copy), any stale content is overwritten, and a buffer
// of the wrong type or size, or one sharing memory with an input, is refused.
import { describe, expect, it } from 'vitest';
import { addon } from '../../lib/kernels/addon.js';
import { connectedComponents } from '../../lib/kernels/components.js';
import { blurredBorder, normalizedDistance } from '../../lib/kernels/distance.js';
import { watershed } from '../../lib/kernels/watershed.js';
import { NucsegError } from '../../lib/util/errors.js';
import { rng } from '../helpers/perturb.js';
import { LIB_URL, runNodeScript } from '../helpers/tools.js';

const w = 67;
const h = 41;
const r = rng(21);
const mask = { data: Uint8Array.from({ length: w * h }, () => (r() < 0.5 ? 1 : 0)), width: w, height: h };
const elevation = { data: Uint8Array.from({ length: w * h }, () => Math.floor(r() * 256)), width: w, height: h };
const markers = { data: new Uint32Array(w * h), width: w, height: h };
for (let k = 1; k <= 9; k++) markers.data[Math.floor(r() * w * h)] = k;

const stale = () => ({ data: new Uint32Array(w * h).fill(0xdeadbeef), width: w, height: h });
// nuclei for the targets: the components of the random mask, as Uint16 labels
const labels = { data: Uint16Array.from(connectedComponents(mask, { connectivity: 4 }).labels.data), width: w, height: h };
const staleF = () => ({ data: new Float32Array(w * h).fill(Number.NaN), width: w, height: h });

describe('out: an output buffer the caller reuses', () => {
  it('connectedComponents writes the same labels into out, in place, over stale content', () => {
    const fresh = connectedComponents(mask);
    for (const connectivity of [4, 8] as const) {
      const out = stale();
      const res = connectedComponents(mask, { connectivity, out, threads: 2 });
      expect(res.labels.data).toBe(out.data);
      expect(res.count).toBe(connectedComponents(mask, { connectivity }).count);
      if (connectivity === 8) expect(Array.from(out.data)).toEqual(Array.from(fresh.labels.data));
      const withStats = connectedComponents(mask, { connectivity, out: stale(), stats: true });
      expect(withStats.stats).toEqual(connectedComponents(mask, { connectivity, stats: true }).stats);
    }
  });

  it('watershed writes the same labels into out, in place, over stale content (masked, lines)', () => {
    for (const opts of [{}, { mask, connectivity: 8 as const }, { lines: true }]) {
      const fresh = watershed(elevation, markers, opts);
      const out = stale();
      const res = watershed(elevation, markers, { ...opts, out });
      expect(res.data).toBe(out.data);
      expect(Array.from(out.data)).toEqual(Array.from(fresh.data));
    }
  });

  it('normalizedDistance and blurredBorder write the same target into out, in place, over stale content', () => {
    for (const threads of [1, 2]) {
      const out = staleF();
      const nd = normalizedDistance(labels, { out, threads });
      expect(nd.data).toBe(out.data);
      expect(Array.from(out.data)).toEqual(Array.from(normalizedDistance(labels).data));
      for (const sigma of [0, 1, 2.5]) {
        const o = staleF();
        expect(blurredBorder(labels, { sigma, out: o, threads }).data).toBe(o.data);
        expect(Array.from(o.data)).toEqual(Array.from(blurredBorder(labels, { sigma }).data));
      }
    }
  });

  it('the wrappers refuse an out of another type or size', () => {
    expect(() => normalizedDistance(labels, { out: stale() as never })).toThrow(/^out must be a Float32Array image, got Uint32Array$/);
    // memory shared with an input: a NucsegError from the wrapper (one line in the CLI), for every input
    const lb = new ArrayBuffer(w * h * 4);
    const l16 = { data: new Uint16Array(lb, 0, w * h), width: w, height: h };
    l16.data.set(labels.data);
    expect(() => normalizedDistance(l16, { out: { data: new Float32Array(lb), width: w, height: h } })).toThrow(NucsegError);
    expect(() => blurredBorder(l16, { out: { data: new Float32Array(lb), width: w, height: h } })).toThrow(/^out must not share memory with the inputs$/);
    const mb = new ArrayBuffer(w * h * 4);
    const m8 = { data: new Uint8Array(mb, w * h * 3), width: w, height: h }; // the buffer's last quarter
    m8.data.set(mask.data);
    expect(() => watershed(elevation, markers, { mask: m8, out: { data: new Uint32Array(mb), width: w, height: h } })).toThrow(/^out must not share memory with the inputs$/);
    expect(() => connectedComponents(m8, { out: { data: new Uint32Array(mb), width: w, height: h } })).toThrow(/^out must not share memory with the inputs$/);
    expect(() => watershed(elevation, markers, { mask: { ...m8, data: new Uint8Array(mb, 0, w * h) }, out: { data: new Uint32Array(w * h), width: w, height: h } })).not.toThrow();
    // null: no out, a new array
    expect(Array.from(normalizedDistance(labels, { out: null }).data)).toEqual(Array.from(normalizedDistance(labels).data));
    expect(() => blurredBorder(labels, { out: { data: new Float32Array(w * (h - 1)), width: w, height: h - 1 } })).toThrow(/^out is 67x40, expected 67x41$/);
    expect(() => connectedComponents(mask, { out: { data: new Uint16Array(w * h), width: w, height: h } as never })).toThrow(/out must be a Uint32Array image, got Uint16Array/);
    expect(() => watershed(elevation, markers, { out: { data: new Uint32Array((w - 1) * h), width: w - 1, height: h } })).toThrow(NucsegError);
    expect(() => watershed(elevation, markers, { out: { data: new Uint32Array((w - 1) * h), width: w - 1, height: h } })).toThrow(/out is 66x41, expected 67x41/);
  });

  it('the addon refuses an out of another type, another size, or sharing memory with an input', () => {
    const a = addon();
    expect(() => a.connectedComponents(mask, 8, 1, false, 1, { data: new Int32Array(w * h), width: w, height: h })).toThrow(/^connectedComponents: out must be a Uint32Array, not Int32Array$/);
    expect(() => a.watershed(elevation, markers, null, 4, false, { data: new Uint32Array(w * w), width: w, height: w })).toThrow(/^watershed: out is 67x67, expected 67x41$/);
    expect(() => a.watershed(elevation, markers, null, 4, false, markers)).toThrow(/^watershed: out must not share memory with the inputs$/);
    // a Uint32Array over the mask's bytes: partly the same memory
    const buf = new ArrayBuffer(w * h * 4);
    const m8 = { data: new Uint8Array(buf, 0, w * h), width: w, height: h };
    m8.data.set(mask.data);
    expect(() => a.connectedComponents(m8, 8, 1, false, 1, { data: new Uint32Array(buf), width: w, height: h })).toThrow(/^connectedComponents: out must not share memory with the inputs$/);
    expect(() => a.watershed(elevation, markers, m8, 4, false, { data: new Uint32Array(buf), width: w, height: h })).toThrow(/^watershed: out must not share memory with the inputs$/);
    const e8 = { data: new Uint8Array(buf, w * h * 3), width: w, height: h }; // the last quarter: out's tail
    expect(() => a.watershed(e8, markers, null, 4, false, { data: new Uint32Array(buf), width: w, height: h })).toThrow(/^watershed: out must not share memory with the inputs$/);
    expect(() => a.watershed(e8, markers, m8, 4, false, { data: new Uint32Array(w * h), width: w, height: h })).not.toThrow(); // disjoint views of one buffer are fine
    // the targets: float out over the labels' own bytes
    const lb = new ArrayBuffer(w * h * 4);
    const l16 = { data: new Uint16Array(lb, 0, w * h), width: w, height: h };
    l16.data.set(labels.data);
    expect(() => a.normalizedDistance(l16, 1, { data: new Float32Array(lb), width: w, height: h })).toThrow(/^normalizedDistance: out must not share memory with the inputs$/);
    expect(() => a.blurredBorder(l16, 1, 1, { data: new Float32Array(lb), width: w, height: h })).toThrow(/^blurredBorder: out must not share memory with the inputs$/);
    expect(() => a.blurredBorder(l16, 1, 1, { data: new Uint32Array(w * h), width: w, height: h })).toThrow(/^blurredBorder: out must be a Float32Array, not Uint32Array$/);
    expect(() => a.normalizedDistance(labels, 1, { data: new Float32Array(w * w), width: w, height: w })).toThrow(/^normalizedDistance: out is 67x67, expected 67x41$/);
  });

  it('a getter on out that frees the labels during the call gives an error, not a crash (hostile trial)', () => {
    // the binding used to hold a pointer into the labels while it read out's properties
    const r = runNodeScript(
      `import { kernels } from ${JSON.stringify(LIB_URL)};
const N = 4000;
let L = new Uint16Array(N * N).fill(1);
const labels = { data: L, width: N, height: N };
const F = new Float32Array(N * N);
let fired = false;
const out = { width: N, height: N, get data() {
  if (!fired && !/checkOut|checkImage/.test(new Error().stack)) { // past the wrapper's own checks
    fired = true;
    structuredClone(L.buffer, { transfer: [L.buffer] }); // detach the labels' memory
    L = null;
    globalThis.gc(); globalThis.gc();
  }
  return F;
} };
try { kernels.normalizedDistance(labels, { out, threads: 1 }); console.log('ran'); } catch (e) { console.log('error:', e.message); }
`,
      ['--expose-gc'],
    );
    expect(r.signal).toBe(null);
    expect(r.stdout.trim()).toBe('error: normalizedDistance: labels has 0 values, expected 4000x4000 = 16000000');
  });
});
