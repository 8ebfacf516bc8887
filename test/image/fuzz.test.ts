import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeImage } from '../../lib/image/read.js';
import { encodeLabelsTiff } from '../../lib/image/write.js';
import { NucsegError } from '../../lib/util/errors.js';
import { dsbLabelFiles } from '../helpers/data.js';
import { rng } from '../helpers/perturb.js';
import { python, tempDir, tiffcp } from '../helpers/tools.js';

// Mutation fuzzing of the image decoders (TIFF through geotiff.js, PNG through pngjs, and
// nucseg's header checks): random byte flips, truncations, splices and header-field
// overwrites of valid files. Every input must either decode or fail with a NucsegError —
// never another exception, a hang, or an allocation of an absurd size. Seeded, so a
// failure reproduces; NUCSEG_FUZZ_ITERS raises the count for longer local runs.
const ITERS = Number(process.env.NUCSEG_FUZZ_ITERS ?? 400);

function seeds(): { name: string; bytes: Uint8Array }[] {
  const dir = tempDir('nucseg-fuzz-');
  const src = dsbLabelFiles(1)[0];
  const small = join(dir, 'small.tif');
  // a small crop keeps each decode fast
  python('import sys,tifffile;a=tifffile.imread(sys.argv[1])[:48,:40];tifffile.imwrite(sys.argv[2],a)', [src, small]);
  const out: { name: string; bytes: Uint8Array }[] = [{ name: 'plain', bytes: readFileSync(small) }];
  for (const [name, args] of [
    ['lzw', ['-c', 'lzw']],
    ['zip', ['-c', 'zip']],
    ['packbits', ['-c', 'packbits']],
    ['tiled', ['-t', '-w', '16', '-l', '16']],
  ] as const) {
    tiffcp([...args, small, join(dir, `${name}.tif`)]);
    out.push({ name, bytes: readFileSync(join(dir, `${name}.tif`)) });
  }
  const l = new Uint16Array(40 * 48).map((_, i) => (i * 7) % 13);
  out.push({ name: 'nucseg-writer', bytes: encodeLabelsTiff({ data: l, width: 40, height: 48 }) });
  python('import sys,cv2,numpy as np;cv2.imwrite(sys.argv[1], (np.arange(48*40)%300).astype(np.uint16).reshape(48,40))', [join(dir, 'g16.png')]);
  out.push({ name: 'png16', bytes: readFileSync(join(dir, 'g16.png')) });
  return out;
}

function mutate(src: Uint8Array, r: () => number): Uint8Array {
  const b = Uint8Array.from(src);
  const kind = Math.floor(r() * 5);
  const pos = () => Math.floor(r() * b.length);
  if (kind === 0) for (let i = 0, n = 1 + Math.floor(r() * 8); i < n; i++) b[pos()] = Math.floor(r() * 256);
  if (kind === 1) return b.subarray(0, pos());
  if (kind === 2) {
    // overwrite a 4-byte field near the header with an extreme value
    const p = Math.floor(r() * Math.min(b.length - 4, 256));
    const v = [0, 0xffffffff, 0x7fffffff, 1_000_000, 65535][Math.floor(r() * 5)];
    new DataView(b.buffer).setUint32(p, v, r() < 0.5);
  }
  if (kind === 3) {
    const a = pos(), c = pos();
    b.copyWithin(a, c, Math.min(b.length, c + 1 + Math.floor(r() * 64)));
  }
  if (kind === 4) for (let i = 0; i < 3; i++) b[pos()] ^= 1 << Math.floor(r() * 8);
  return b;
}

describe('image decoder fuzzing', () => {
  it(`${ITERS} mutated TIFF/PNG files either decode or fail with a NucsegError`, async () => {
    const corpus = seeds();
    const r = rng(20261126);
    let decoded = 0, refused = 0;
    for (let i = 0; i < ITERS; i++) {
      const seed = corpus[i % corpus.length];
      const input = mutate(seed.bytes, r);
      try {
        const im = await decodeImage(input, `fuzz-${seed.name}-${i}.bin`, { maxPixels: 1 << 22 });
        expect(im.data.length).toBe(im.width * im.height);
        decoded++;
      } catch (e) {
        if (!(e instanceof NucsegError)) {
          throw new Error(`iteration ${i} (${seed.name}): non-NucsegError ${(e as Error)?.constructor?.name}: ${(e as Error)?.message}`);
        }
        expect((e as Error).message).toContain(`fuzz-${seed.name}-${i}.bin`);
        refused++;
      }
    }
    expect(decoded + refused).toBe(ITERS);
    expect(refused).toBeGreaterThan(ITERS / 10);
  }, 120_000);
});
