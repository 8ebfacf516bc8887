import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync, copyFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { augment } from '../../lib/augment/augment.js';
import { loadConfig } from '../../lib/augment/config.js';
import { loadSources } from '../../lib/augment/sources.js';
import { augmentRois, augmentRoisAsync } from '../../lib/kernels/augment.js';
import { writeLabels } from '../../lib/image/write.js';
import { readImage, readLabels } from '../../lib/image/read.js';
import { normalizeImage } from '../../lib/segment/normalize.js';
import { writeNpy } from '../helpers/npy.js';
import { BBBC039, DSB, REPO } from '../helpers/data.js';
import { python, tempDir } from '../helpers/tools.js';

const BIN = join(REPO, 'bin', 'nucseg.js');
const R = 64; // small ROIs keep the tests quick; the code path is the same as 256

/** A small set: the first n DSB fields (images/ + labels/). */
function dsbSubset(n: number): string {
  const dir = tempDir('nucseg-set-');
  mkdirSync(join(dir, 'images'));
  mkdirSync(join(dir, 'labels'));
  for (const f of readdirSync(join(DSB, 'train', 'labels')).sort().slice(0, n)) {
    copyFileSync(join(DSB, 'train', 'images', f), join(dir, 'images', f));
    copyFileSync(join(DSB, 'train', 'labels', f), join(dir, 'labels', f));
  }
  return dir;
}

describe('nucseg augment', () => {
  it('writes an HDF5 set h5py reads, with the documented schema and sane targets', () => {
    const out = join(tempDir(), 'train.h5');
    const sheet = join(tempDir(), 'sheet.png');
    const r = spawnSync(process.execPath, [BIN, 'augment', '--set', `dsb=${dsbSubset(6)}`, '--set', `u2os=${BBBC039}:30`, '--rois', '90', '--roi-size', String(R), '--out', out, '--preview', sheet, '--seed', '3', '--quiet'], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const info = JSON.parse(
      python(
        `import sys,json,h5py,numpy as np
f=h5py.File(sys.argv[1],'r')
o={k:[list(f[k].shape),str(f[k].dtype),list(f[k].chunks or []),f[k].compression,f[k].scaleoffset] for k in f}
d=f['distance'][:]; b=f['border'][:]; l=f['label'][:]; im=f['image'][:]*f.attrs['image_scale']
o['image_int']=bool(np.issubdtype(f['image'].dtype,np.integer)); o['image_max']=int(f['image'][:].max())
o['attrs']=sorted(f.attrs.keys()); o['schema']=f.attrs['schema']; o['sets']=json.loads(f.attrs['sets'])
o['set_counts']=np.bincount(f['set'][:]).tolist(); o['split_counts']=np.bincount(f['split'][:]).tolist()
o['ranges']=[float(im.min()),float(im.max()),float(d.min()),float(d.max()),float(b.min()),float(b.max())]
# distance is exactly 1 at the maximum of each nucleus inside the ROI, 0 on background
ok=True
for i in range(l.shape[0]):
    edge=set(np.unique(np.concatenate([l[i][0],l[i][-1],l[i][:,0],l[i][:,-1]])).tolist())
    for k in np.unique(l[i])[1:]:
        if int(k) in edge: continue
        ok &= bool(d[i][l[i]==k].max()==1.0)
    ok &= bool((d[i][l[i]==0]==0).all())
o['max_is_one']=ok
o['labels_consecutive']=all(set(np.unique(l[i]).tolist())==set(range(int(l[i].max())+1)) for i in range(l.shape[0]))
print(json.dumps(o))`,
        [out],
      ),
    );
    for (const k of ['distance', 'border']) expect(info[k].slice(0, 4)).toEqual([[90, R, R], 'float32', [1, R, R], 'gzip']);
    expect(info.label.slice(0, 4)).toEqual([[90, R, R], 'uint16', [1, R, R], 'gzip']);
    // the image: 12-bit values in uint16, packed by HDF5's scale-offset filter (integer mode)
    expect(info.image).toEqual([[90, R, R], 'uint16', [1, R, R], null, 0]);
    expect(info.image_max).toBeLessThanOrEqual(4095);
    expect(info.image_max).toBeGreaterThan(3000);
    expect(info.schema).toBe('nucseg.augment/1');
    expect(info.attrs).toEqual(['config', 'image_normalization', 'image_scale', 'nucseg_version', 'schema', 'seed', 'sets', 'sources']);
    expect(info.set_counts).toEqual([60, 30]);
    expect(info.split_counts).toEqual([72, 18]);
    const [imin, imax, dmin, dmax, bmin, bmax] = info.ranges;
    expect(imin >= 0 && imax <= 1 && dmin >= 0 && dmax === 1 && bmin >= 0 && bmax <= 1).toBe(true);
    expect(info.max_is_one).toBe(true);
    expect(info.labels_consecutive).toBe(true);
    const png = PNG.sync.read(readFileSync(sheet));
    expect(png.width).toBeGreaterThan(3 * R);
  });

  it('the uint16 image is the float32 image to within half a 12-bit step, with the same labels and targets', () => {
    const a = join(tempDir(), 'u16.h5'), b = join(tempDir(), 'f32.h5');
    for (const [out, dt] of [[a, 'uint16'], [b, 'float32']]) {
      const r = spawnSync(process.execPath, [BIN, 'augment', '--set', `u2os=${BBBC039}`, '--rois', '12', '--roi-size', String(R), '--out', out, '--image-dtype', dt, '--seed', '5', '--quiet'], { encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
    }
    const out = python(
      `import sys,h5py,numpy as np
a=h5py.File(sys.argv[1],'r'); b=h5py.File(sys.argv[2],'r')
print(float(np.abs(a['image'][:]*a.attrs['image_scale']-b['image'][:]).max()), b['image'].dtype, b['image'].compression, all((a[k][:]==b[k][:]).all() for k in ('label','distance','border')))`,
      [a, b],
    ).trim().split(' ');
    expect(Number(out[0])).toBeLessThanOrEqual(0.5 / 4095 + 1e-7);
    expect(out.slice(1)).toEqual(['float32', 'gzip', 'True']);
  });

  it('is deterministic: same seed gives identical ROIs for any thread count and batch size; another seed differs', async () => {
    const cfg = await loadConfig({ overrides: { roi: R } });
    const { sources } = await loadSources([{ name: 'u2os', dir: BBBC039 }], cfg.scales, cfg.valFraction, 5);
    const set = new Uint8Array(40), split = new Uint8Array(40).map((_, i) => i % 5 === 0 ? 1 : 0);
    const a = augmentRois(sources, set, split, cfg, 5, 100, { threads: 1 });
    const b = augmentRois(sources, set, split, cfg, 5, 100, { threads: 2 });
    const c1 = augmentRois(sources, set.subarray(0, 13), split.subarray(0, 13), cfg, 5, 100, { threads: 3 });
    const c2 = augmentRois(sources, set.subarray(13), split.subarray(13), cfg, 5, 113, { threads: 3 });
    const same = (x: ArrayBufferView, y: ArrayBufferView) => Buffer.compare(Buffer.from(x.buffer, x.byteOffset, x.byteLength), Buffer.from(y.buffer, y.byteOffset, y.byteLength)) === 0;
    for (const k of ['image', 'labels', 'distance', 'border'] as const) {
      expect(same(a[k], b[k])).toBe(true);
      const joined = new (a[k].constructor as new (n: number) => Float32Array)(a[k].length);
      joined.set(c1[k] as never);
      joined.set(c2[k] as never, c1[k].length);
      expect(same(a[k], joined)).toBe(true);
    }
    const viaWorker = await augmentRoisAsync(sources, set, split, cfg, 5, 100, { threads: 2 });
    for (const k of ['image', 'labels', 'distance', 'border'] as const) expect(same(a[k], viaWorker[k])).toBe(true);
    const other = augmentRois(sources, set, split, cfg, 6, 100, { threads: 2 });
    expect(same(a.image, other.image)).toBe(false);
    // whole files too
    const o1 = join(tempDir(), 'a.h5'), o2 = join(tempDir(), 'b.h5');
    await augment({ sets: [{ name: 'u2os', dir: BBBC039 }], rois: 20, config: cfg, seed: 9, threads: 1, out: o1 });
    await augment({ sets: [{ name: 'u2os', dir: BBBC039 }], rois: 20, config: cfg, seed: 9, threads: 2, out: o2, batch: 7 });
    expect(python('import sys,h5py,numpy as np;a=h5py.File(sys.argv[1]);b=h5py.File(sys.argv[2]);print(all(np.array_equal(a[k][:],b[k][:]) for k in a))', [o1, o2]).trim()).toBe('True');
  });

  it('90° rotations and flips of a real field are exact: each ROI is a window of np.rot90/np.fliplr of its image and labels', async () => {
    // with no intensity augmentation, zoom 1 and 90° steps, every ROI is a window of one of
    // the 8 rotations/reflections of the field, pixel for pixel, its labels renumbered
    // 1..n in raster order of first appearance; NumPy finds the window independently
    const name = readdirSync(join(BBBC039, 'images')).sort()[0];
    const im = normalizeImage(await readImage(join(BBBC039, 'images', name)));
    const lb = await readLabels(join(BBBC039, 'labels', name));
    const image = { data: im.data, width: im.width, height: im.height };
    const labels = { data: Uint32Array.from(lb.data as ArrayLike<number>), width: lb.width, height: lb.height };
    const cfg = await loadConfig({ preset: 'none', overrides: { roi: R, rotate45: false, flips: true, shoulder: 0 } });
    const n = 64;
    const b = augmentRois([{ image, labels, set: 0, split: 0, zoom: 1 }], new Uint8Array(n), new Uint8Array(n), cfg, 11, 0, { threads: 2 });
    const d = tempDir();
    writeNpy(join(d, 'im.npy'), image);
    writeNpy(join(d, 'lab.npy'), labels);
    writeNpy(join(d, 'roi_im.npy'), { data: b.image, width: R, height: n * R });
    writeNpy(join(d, 'roi_lab.npy'), { data: b.labels, width: R, height: n * R });
    const out = JSON.parse(
      python(
        `import sys,json,numpy as np
d=sys.argv[1]; R=int(sys.argv[2])
im=np.load(d+'/im.npy'); lab=np.load(d+'/lab.npy')
rim=np.load(d+'/roi_im.npy').reshape(-1,R,R); rlab=np.load(d+'/roi_lab.npy').reshape(-1,R,R)
T=[(np.rot90(f(im),k),np.rot90(f(lab),k)) for f in (lambda a:a,np.fliplr) for k in range(4)]
def relabel(w):
    ids,first=np.unique(w,return_index=True)
    order=[i for _,i in sorted((f,i) for i,f in zip(ids,first) if i!=0)]
    lut={int(i):j+1 for j,i in enumerate(order)}; lut[0]=0
    return np.vectorize(lut.get,otypes=[np.int64])(w)
found=[]
for r,rl in zip(rim,rlab):
    hit=None
    for t,(a,al) in enumerate(T):
        H,W=a.shape; ys,xs=np.nonzero(a[:H-R+1,:W-R+1]==r[0,0])
        for j in range(1,R):
            keep=a[ys,xs+j]==r[0,j]; ys,xs=ys[keep],xs[keep]
        for y,x in zip(ys,xs):
            if np.array_equal(a[y:y+R,x:x+R],r):
                hit=(t,bool(np.array_equal(relabel(al[y:y+R,x:x+R]),rl))); break
        if hit: break
    found.append(hit)
print(json.dumps(found))`,
        [d, String(R)],
      ),
    ) as ([number, boolean] | null)[];
    expect(found(out)).toEqual({ windows: n, labelsEqual: n });
    // all 4 rotations, with and without the flip, occur
    expect(new Set(out.map((h) => h?.[0])).size).toBe(8);

    function found(hits: ([number, boolean] | null)[]) {
      return { windows: hits.filter((h) => h !== null).length, labelsEqual: hits.filter((h) => h?.[1]).length };
    }
  });

  it('a synthetic field whose intensity encodes its labels: every label pixel keeps its nucleus level through 90° steps and flips', async () => {
    // an asymmetric synthetic field whose intensity is a function of its labels
    const dir = tempDir('nucseg-synth-');
    mkdirSync(join(dir, 'images'));
    mkdirSync(join(dir, 'labels'));
    const W = 200, H = 150;
    const lab = new Uint16Array(W * H);
    for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) {
      if ((x - 60) ** 2 / 400 + (y - 50) ** 2 / 100 <= 1) lab[y * W + x] = 1;
      if ((x - 130) ** 2 + (y - 90) ** 2 <= 225) lab[y * W + x] = 2;
      if (x > 20 && x < 40 && y > 100 && y < 140) lab[y * W + x] = 3;
    }
    const img = Uint16Array.from(lab, (v) => (v ? 1000 * v + 2000 : 100));
    await writeLabels(join(dir, 'labels', 'f.tif'), { data: lab, width: W, height: H });
    await writeLabels(join(dir, 'images', 'f.tif'), { data: img, width: W, height: H });
    const cfg = await loadConfig({ preset: 'none', overrides: { roi: R, rotate45: false, shoulder: 0 } });
    const { sources } = await loadSources([{ name: 's', dir }], [1], 0, 1);
    const n = 64;
    const b = augmentRois(sources, new Uint8Array(n), new Uint8Array(n), cfg, 11, 0, { threads: 2 });
    // with no intensity augmentation, every pixel's intensity identifies its label exactly:
    // each (ROI, label) carries one level, one of the three nucleus levels, and no two labels
    // of one ROI share a level (they are different nuclei)
    const norm = normalizeLevels(img);
    const levelOf = new Map<string, Set<number>>();
    let checked = 0;
    for (let i = 0; i < n * R * R; i++) {
      const l = b.labels[i];
      if (l === 0) continue;
      const k = `${Math.floor(i / (R * R))}:${l}`;
      if (!levelOf.has(k)) levelOf.set(k, new Set());
      levelOf.get(k)!.add(Math.round(b.image[i] * 1000));
      checked++;
    }
    expect(checked).toBeGreaterThan(1000);
    const perRoi = new Map<string, number[]>();
    for (const [k, levels] of levelOf) {
      expect([...levels]).toHaveLength(1);
      expect(norm.has([...levels][0])).toBe(true);
      const roi = k.split(':')[0];
      perRoi.set(roi, [...(perRoi.get(roi) ?? []), [...levels][0]]);
    }
    for (const levels of perRoi.values()) expect(new Set(levels).size).toBe(levels.length);
    // background pixels are background intensity (or outside the field: 0)
    let brightBackground = 0;
    for (let i = 0; i < n * R * R; i++) if (b.labels[i] === 0 && !(b.image[i] < 0.05)) brightBackground++;
    expect(brightBackground).toBe(0);
  });

  it('saturation clips each ROI at its sampled upper percentile: min(1, x / percentile), measured per ROI', async () => {
    const cfg = await loadConfig({ overrides: { roi: R } });
    const { sources } = await loadSources([{ name: 'u2os', dir: BBBC039 }], [1], 0, 4);
    const n = 24, N = R * R;
    const plain = await loadConfig({ preset: 'none', overrides: { roi: R } });
    // the same geometry (drawn before the intensity classes), then saturation alone at the 95th percentile
    const sat = { ...plain, pContrast: 1, wClahe: 0, wGamma: 0, wMultiply: 0, wSaturation: 1, saturation: [95, 95] as [number, number] };
    const a = augmentRois(sources, new Uint8Array(n), new Uint8Array(n), plain, 8, 0, { threads: 2 });
    const s = augmentRois(sources, new Uint8Array(n), new Uint8Array(n), sat, 8, 0, { threads: 2 });
    let worst = 0;
    for (let k = 0; k < n; k++) {
      const base = a.image.subarray(k * N, (k + 1) * N), out = s.image.subarray(k * N, (k + 1) * N);
      const sorted = Float32Array.from(base).sort();
      const hi = Math.max(sorted[Math.floor(0.95 * (N - 1))], Math.fround(1e-6));
      let ones = 0;
      for (let i = 0; i < N; i++) {
        worst = Math.max(worst, Math.abs(out[i] - Math.min(1, Math.fround(base[i] / hi))));
        if (out[i] === 1) ones++;
      }
      // at least the top 5 % of the ROI is saturated
      expect(ones / N).toBeGreaterThanOrEqual((N - Math.floor(0.95 * (N - 1))) / N);
    }
    expect(worst).toBe(0);
    // and in the full preset, saturation is one of the contrast ops: without the contrast
    // class (min-contrast) fewer pixels end at exactly 1. Measured with these 200 ROIs
    // (seed 2): 0.49 % full, 0.13 % min-contrast, 0.14 % none (the 99.8th-percentile
    // normalization and impulse noise); the factor 1.5 leaves room under the measured 3.9
    const ones = async (preset: string) => {
      const c = await loadConfig({ preset, overrides: { roi: R, scales: [1] } });
      const b = augmentRois(sources, new Uint8Array(200), new Uint8Array(200), c, 2, 0, { threads: 2 });
      return b.image.reduce((m, v) => m + (v === 1 ? 1 : 0), 0) / b.image.length;
    };
    expect(cfg.wSaturation).toBeGreaterThan(0);
    expect(await ones('full')).toBeGreaterThan(1.5 * (await ones('min-contrast')));
  });

  it('ablation presets really disable their class', async () => {
    const stats = async (preset: string) => {
      const cfg = await loadConfig({ preset, overrides: { roi: R } });
      const { sources } = await loadSources([{ name: 'u2os', dir: BBBC039 }], cfg.scales, 0, 2);
      const n = 60;
      const b = augmentRois(sources, new Uint8Array(n), new Uint8Array(n), cfg, 2, 0, { threads: 2 });
      // high-frequency energy (noise); saturation is measured in its own test above
      let hf = 0;
      for (let k = 0; k < n; k++)
        for (let y = 0; y < R; y++)
          for (let x = 1; x < R; x++) hf += Math.abs(b.image[k * R * R + y * R + x] - b.image[k * R * R + y * R + x - 1]);
      return hf / (n * R * R);
    };
    const none = await stats('none'), full = await stats('full'), minNoise = await stats('min-noise');
    expect(full).toBeGreaterThan(minNoise);
    expect(minNoise).toBeGreaterThan(0);
    expect(full).toBeGreaterThan(none);
    const c = await loadConfig({ preset: 'min-scaling' });
    expect(c.scales).toEqual([1]);
    expect((await loadConfig({ preset: 'min-blur' })).pBlur).toBe(0);
    expect((await loadConfig({ preset: 'min-contrast' })).pContrast).toBe(0);
  });

  it('config files (JSON, YAML) and clear errors for bad configs and mismatched pairs', async () => {
    const d = tempDir();
    writeFileSync(join(d, 'c.yaml'), 'pNoise: 0.9\nscales: [1, 2]\n');
    expect((await loadConfig({ file: join(d, 'c.yaml') })).pNoise).toBe(0.9);
    writeFileSync(join(d, 'bad.json'), '{"pNoise": 3}');
    await expect(loadConfig({ file: join(d, 'bad.json') })).rejects.toThrow(/pNoise must be a probability/);
    writeFileSync(join(d, 'typo.json'), '{"pNoize": 0.3}');
    await expect(loadConfig({ file: join(d, 'typo.json') })).rejects.toThrow(/pNoize is not a known setting/);
    await expect(loadConfig({ preset: 'nope' })).rejects.toThrow(/unknown preset/);
    // an image whose labels have another size
    const set = dsbSubset(2);
    const f = readdirSync(join(set, 'labels'))[0];
    await writeLabels(join(set, 'labels', f), { data: new Uint16Array(100), width: 10, height: 10 });
    const r = spawnSync(process.execPath, [BIN, 'augment', '--set', `x=${set}`, '--rois', '4', '--out', join(d, 'x.h5')], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`${f.replace('.', '\\.')}.* but its labels .* are 10x10`));
    expect(existsSync(join(d, 'x.h5'))).toBe(false);
    expect(readdirSync(d).filter((x) => x.includes('.tmp'))).toEqual([]);
  });
});

function normalizeLevels(img: Uint16Array): Set<number> {
  // the percentile normalization of the synthetic field maps its three nucleus levels to these
  const sorted = Float64Array.from(img).sort();
  const q = (p: number) => {
    const r = (p / 100) * (sorted.length - 1), lo = Math.floor(r);
    return sorted[lo] + (r - lo) * (sorted[Math.min(lo + 1, sorted.length - 1)] - sorted[lo]);
  };
  const lo = q(1), hi = q(99.8);
  return new Set([3000, 4000, 5000].map((v) => Math.round(Math.min(1, Math.max(0, (v - lo) / (hi - lo))) * 1000)));
}
