import { copyFileSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeImage, readImage, readLabels } from '../../lib/image/read.js';
import { encodeLabelsTiff, writeLabels } from '../../lib/image/write.js';
import { NucsegError } from '../../lib/util/errors.js';
import { BBBC039, DSB, dsbLabelFiles } from '../helpers/data.js';
import { python, tempDir, tiffcp } from '../helpers/tools.js';

const dir = tempDir();
const labelFile = dsbLabelFiles(3)[0];
const imageFile = join(BBBC039, 'images', readdirSync(join(BBBC039, 'images'))[0]);

async function expectUserError(p: Promise<unknown>, re: RegExp) {
  const e = await p.then(
    () => undefined,
    (err) => err,
  );
  expect(e, 'expected an error').toBeInstanceOf(NucsegError);
  expect((e as Error).message).toMatch(re);
}

describe('readImage on real files', () => {
  it('reads 16-bit Deflate TIFF fields and 8-bit DSB images', async () => {
    const im = await readImage(imageFile);
    expect([im.width, im.height, im.bitsPerSample, im.sampleFormat]).toEqual([696, 520, 16, 'uint']);
    expect(im.data).toBeInstanceOf(Uint16Array);
    // independent check: numpy via tifffile sums the same pixels
    const ref = python('import sys,tifffile;a=tifffile.imread(sys.argv[1]);print(int(a.sum()), a.shape[1], a.shape[0])', [imageFile]).trim();
    const sum = im.data.reduce((a, v) => a + v, 0);
    expect(`${sum} ${im.width} ${im.height}`).toBe(ref);
    const dsb = await readImage(join(DSB, 'train', 'images', readdirSync(join(DSB, 'train', 'images'))[0]));
    expect(dsb.data).toBeInstanceOf(Uint8Array);
  });

  it('reads LZW, PackBits, uncompressed, tiled and multi-page variants identically', async () => {
    const base = await readImage(imageFile);
    const variants: [string, string[]][] = [
      ['none.tif', ['-c', 'none']],
      ['lzw.tif', ['-c', 'lzw']],
      ['packbits.tif', ['-c', 'packbits']],
      ['zip.tif', ['-c', 'zip']],
      ['tiled.tif', ['-c', 'lzw', '-t', '-w', '64', '-l', '64']],
      ['strips.tif', ['-c', 'zip', '-r', '7']],
    ];
    for (const [name, args] of variants) {
      tiffcp([...args, imageFile, join(dir, name)]);
      const im = await readImage(join(dir, name));
      expect(im.width).toBe(base.width);
      expect(Buffer.compare(Buffer.from(im.data.buffer), Buffer.from(base.data.buffer)), name).toBe(0);
    }
    // multi-page: page choice and max projection
    python(
      `import sys,tifffile,numpy as np
a=tifffile.imread(sys.argv[1]).astype(np.uint16)
b=a[::-1].copy()
tifffile.imwrite(sys.argv[2], np.stack([a,b]), compression='zlib')`,
      [imageFile, join(dir, 'stack.tif')],
    );
    const p0 = await readImage(join(dir, 'stack.tif'));
    const p1 = await readImage(join(dir, 'stack.tif'), { page: 1 });
    const mx = await readImage(join(dir, 'stack.tif'), { projection: 'max' });
    expect(p0.pages).toBe(2);
    expect(Buffer.compare(Buffer.from(p0.data.buffer), Buffer.from(base.data.buffer))).toBe(0);
    expect(p1.data[0]).toBe(base.data[(base.height - 1) * base.width]);
    for (let i = 0; i < mx.data.length; i += 997) expect(mx.data[i]).toBe(Math.max(p0.data[i], p1.data[i]));
    await expectUserError(readImage(join(dir, 'stack.tif'), { page: 5 }), /page 5 does not exist/);
  });

  it('reads 32-bit integer and float TIFFs and 8/16-bit PNGs', async () => {
    python(
      `import sys,numpy as np,tifffile,cv2
a=(np.arange(60*40).reshape(40,60)*3).astype(np.uint32)+70000
tifffile.imwrite(sys.argv[1]+'/u32.tif', a)
tifffile.imwrite(sys.argv[1]+'/f32.tif', (a/7).astype(np.float32))
cv2.imwrite(sys.argv[1]+'/g16.png', (a % 65536).astype(np.uint16))
cv2.imwrite(sys.argv[1]+'/g8.png', (a % 256).astype(np.uint8))
cv2.imwrite(sys.argv[1]+'/rgb.png', np.dstack([a%256, a%256, (a*7)%256]).astype(np.uint8))`,
      [dir],
    );
    const u32 = await readImage(join(dir, 'u32.tif'));
    expect(u32.data).toBeInstanceOf(Uint32Array);
    expect(u32.data[59]).toBe(59 * 3 + 70000);
    const f32 = await readImage(join(dir, 'f32.tif'));
    expect(f32.sampleFormat).toBe('float');
    expect(f32.data[59]).toBeCloseTo((59 * 3 + 70000) / 7, 2);
    const g16 = await readImage(join(dir, 'g16.png'));
    expect([g16.bitsPerSample, g16.data[59]]).toEqual([16, (59 * 3 + 70000) % 65536]);
    const g8 = await readImage(join(dir, 'g8.png'));
    expect([g8.bitsPerSample, g8.data[59]]).toEqual([8, (59 * 3 + 70000) % 256]);
    await expectUserError(readImage(join(dir, 'rgb.png')), /RGB/);
    await expectUserError(readLabels(join(dir, 'f32.tif')), /float.*label images must be integer/);
  });
});

describe('writeLabels', () => {
  it('round-trips uint16 labels and is read by tifffile and OpenCV', async () => {
    const gt = await readLabels(labelFile);
    const out = join(dir, 'gt.labels.tif');
    await writeLabels(out, gt);
    const back = await readLabels(out);
    expect(back.data).toEqual(gt.data);
    const check = python(
      `import sys,tifffile,cv2,numpy as np
t=tifffile.TiffFile(sys.argv[1]); a=t.asarray(); p=t.pages[0]
c=cv2.imread(sys.argv[1], cv2.IMREAD_UNCHANGED)
print(a.dtype, p.compression.name, int(a.sum()), int(c.sum()), c.dtype)`,
      [out],
    ).trim();
    const sum = gt.data.reduce((a, v) => a + v, 0);
    expect(check).toBe(`uint16 ADOBE_DEFLATE ${sum} ${sum} uint16`);
  });

  it('writes uint32 when a label exceeds 65535, and leaves no temporary files', async () => {
    const data = new Uint32Array(300 * 7);
    data[5] = 70000;
    data[2099] = 0xffffffff;
    const out = join(dir, 'big.tif');
    await writeLabels(out, { data, width: 300, height: 7 });
    const back = await readLabels(out);
    expect(back.data).toBeInstanceOf(Uint32Array);
    expect([back.data[5], back.data[2099]]).toEqual([70000, 0xffffffff]);
    expect(python('import sys,tifffile;a=tifffile.imread(sys.argv[1]);print(a.dtype,int(a.max()))', [out]).trim()).toBe('uint32 4294967295');
    // uint32 data whose labels fit 16 bits is written as uint16
    await writeLabels(join(dir, 'small32.tif'), { data: new Uint32Array([0, 1, 2, 65535]), width: 2, height: 2 });
    expect((await readImage(join(dir, 'small32.tif'))).bitsPerSample).toBe(16);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('refuses an unwritable destination with an error naming the file', async () => {
    writeFileSync(join(dir, 'afile'), 'x');
    await expectUserError(writeLabels(join(dir, 'afile', 'x.tif'), { data: new Uint16Array(1), width: 1, height: 1 }), /afile\/x\.tif: cannot write/);
  });
});

describe('bad input gives a clear error naming the file', () => {
  let none: Uint8Array;
  beforeAll(() => {
    tiffcp(['-c', 'none', labelFile, join(dir, 'plain.tif')]);
    none = readFileSync(join(dir, 'plain.tif'));
  });

  it('missing, empty and non-image files', async () => {
    await expectUserError(readImage(join(dir, 'nope.tif')), /nope\.tif: no such file/);
    writeFileSync(join(dir, 'empty.tif'), '');
    await expectUserError(readImage(join(dir, 'empty.tif')), /empty\.tif: file is empty/);
    writeFileSync(join(dir, 'text.tif'), 'hello world, not a tiff');
    await expectUserError(readImage(join(dir, 'text.tif')), /text\.tif: not a TIFF or PNG/);
    await expectUserError(readImage(dir), /is a folder/);
  });

  it('truncated TIFF and PNG', async () => {
    writeFileSync(join(dir, 'trunc.tif'), none.subarray(0, Math.floor(none.length / 2)));
    await expectUserError(readImage(join(dir, 'trunc.tif')), /trunc\.tif: (truncated|corrupt)/);
    const compressed = readFileSync(labelFile);
    await expectUserError(decodeImage(compressed.subarray(0, compressed.length - 200), 'cut.tif'), /cut\.tif: (truncated|corrupt)/);
    python('import sys,cv2,numpy as np;cv2.imwrite(sys.argv[1], np.arange(64*64,dtype=np.uint16).reshape(64,64))', [join(dir, 'p.png')]);
    const png = readFileSync(join(dir, 'p.png'));
    await expectUserError(decodeImage(png.subarray(0, png.length / 2), 'half.png'), /half\.png: corrupt or truncated PNG/);
  });

  it('absurd dimensions in a header are refused before allocating', async () => {
    // Patch ImageWidth/ImageLength of the uncompressed file to 10^6 x 10^6.
    const bytes = Uint8Array.from(none);
    const dv = new DataView(bytes.buffer);
    const le = bytes[0] === 0x49;
    const ifd = dv.getUint32(4, le);
    const n = dv.getUint16(ifd, le);
    for (let i = 0; i < n; i++) {
      const p = ifd + 2 + i * 12;
      const tag = dv.getUint16(p, le), type = dv.getUint16(p + 2, le);
      if (tag === 256 || tag === 257) {
        // a SHORT value cannot hold 10^6: make the entry a LONG (the value fits inline)
        if (type === 3) dv.setUint16(p + 2, 4, le);
        dv.setUint32(p + 8, 1_000_000, le);
      }
    }
    await expectUserError(decodeImage(bytes, 'huge.tif'), /huge\.tif: header claims 1000000x1000000 pixels/);
    // PNG header with 10^6 x 10^6
    const png = Buffer.from(readFileSync(join(dir, 'p.png')));
    png.writeUInt32BE(1_000_000, 16);
    png.writeUInt32BE(1_000_000, 20);
    await expectUserError(decodeImage(png, 'huge.png'), /huge\.png: header claims 1000000x1000000/);
  });

  it('RGB where a label image is expected', async () => {
    python('import sys,tifffile,numpy as np;tifffile.imwrite(sys.argv[1], np.zeros((20,30,3),np.uint8), photometric="rgb")', [join(dir, 'rgb.tif')]);
    await expectUserError(readLabels(join(dir, 'rgb.tif')), /rgb\.tif: has 3 samples per pixel/);
  });

  it('negative signed labels are refused; non-negative int32 labels accepted', async () => {
    python(
      `import sys,tifffile,numpy as np
tifffile.imwrite(sys.argv[1]+'/neg.tif', np.array([[0,-1],[2,3]],np.int32))
tifffile.imwrite(sys.argv[1]+'/i32.tif', np.array([[0,1],[2,100000]],np.int32))`,
      [dir],
    );
    await expectUserError(readLabels(join(dir, 'neg.tif')), /negative label value -1/);
    const ok = await readLabels(join(dir, 'i32.tif'));
    expect(ok.data).toBeInstanceOf(Uint32Array);
    expect(Array.from(ok.data)).toEqual([0, 1, 2, 100000]);
  });

  it('the encoder output copies cleanly and re-reads (sanity for fuzz seeds)', async () => {
    const l = await readLabels(labelFile);
    const enc = encodeLabelsTiff(l);
    const back = await decodeImage(enc, 'mem.tif');
    expect(back.data).toEqual(l.data);
    copyFileSync(labelFile, join(dir, 'copy.tif'));
  });
});
