// ImageJ ROIs in and out (issue 17): fixtures written to the documented .roi format by an
// independent Python writer (make_roi_fixtures.py) read correctly, labels -> ROI zip ->
// labels is identical on real fields (holes and split nuclei included), and malformed bytes
// only ever give a NucsegError naming the file.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { unzipSync, zipSync } from 'fflate';
import { beforeAll, describe, expect, it } from 'vitest';
import { rasterizeObjects } from '../../lib/annotations/rasterize.js';
import { decodeRoi } from '../../lib/annotations/roi-decode.js';
import { encodeCompositeRoi, encodeTracedRoi } from '../../lib/annotations/roi-encode.js';
import { labelsToRoiZip, readRoiZip } from '../../lib/annotations/roi-zip.js';
import type { AnnotationObject } from '../../lib/annotations/types.js';
import { readLabels } from '../../lib/image/read.js';
import { NucsegError } from '../../lib/util/errors.js';
import { dsbLabelFiles } from '../helpers/data.js';
import { PYTHON, tempDir } from '../helpers/tools.js';
import { HOLE_FIELDS, SPLIT_FIELD, sameLabels } from './fields.js';

let dir = '';
let ref: { width: number; height: number; masks: Record<string, number[]> };
beforeAll(() => {
  dir = tempDir('nucseg-roi-');
  ref = JSON.parse(execFileSync(PYTHON, [join(import.meta.dirname, 'make_roi_fixtures.py'), dir], { encoding: 'utf8' }));
});

function pixels(o: AnnotationObject): number[] {
  const r = rasterizeObjects([o], ref.width, ref.height);
  return r.labels.data.reduce<number[]>((a, v, i) => (v ? [...a, i] : a), []);
}

describe('ImageJ .roi fixtures (written to the documented format by Python)', () => {
  it.each(['rect', 'oval', 'polygon', 'traced', 'freehand', 'composite'])('%s.roi gives the reference mask', (k) => {
    const d = decodeRoi(readFileSync(join(dir, `${k}.roi`)), `${k}.roi`);
    if (!('object' in d)) throw new Error(`skipped: ${d.skipped}`);
    expect(pixels(d.object)).toEqual(ref.masks[k]);
    expect(ref.masks[k].length).toBeGreaterThan(5);
  });

  it('names, types and ids: header2 name, else the file name; "nucleus 5" asks for id 5; a line is skipped', () => {
    const get = (k: string) => decodeRoi(readFileSync(join(dir, `${k}.roi`)), `${k}.roi`);
    const o = (k: string) => (get(k) as { object: AnnotationObject }).object;
    expect([o('rect').name, o('oval').name, o('composite').name, o('polygon').name]).toEqual(['box', 'oval', 'with hole', 'nucleus 5']);
    expect([o('rect').objectType, o('oval').objectType, o('traced').objectType, o('freehand').objectType, o('composite').objectType]).toEqual(['rect', 'oval', 'traced', 'freehand', 'composite']);
    expect(o('polygon').requestedId).toBe(5);
    expect(get('line')).toEqual({ name: 'a line', skipped: 'a line ROI has no area' });
  });

  it('RoiSet.zip (Python zipfile, deflated) reads every .roi entry in order and ignores other entries', () => {
    const set = readRoiZip(readFileSync(join(dir, 'RoiSet.zip')), 'RoiSet.zip');
    expect(set.objects.map((o) => o.name)).toEqual(['box', 'oval', 'nucleus 5', 'traced', 'free', 'with hole']);
    expect(set.skipped).toEqual([{ name: 'a line', reason: 'a line ROI has no area' }]);
    set.objects.forEach((o, i) => expect(pixels(o), o.name).toEqual(ref.masks[['rect', 'oval', 'polygon', 'traced', 'freehand', 'composite'][i]]));
  });

  it('a zip written as a stream (data descriptors after each entry, as ImageJ writes) reads the same', () => {
    const streamed = readFileSync(join(dir, 'RoiSet-streamed.zip'));
    expect(streamed[6] & 8).toBe(8); // general purpose flag bit 3: sizes follow the data
    expect(readRoiZip(streamed, 's.zip')).toEqual(readRoiZip(readFileSync(join(dir, 'RoiSet.zip')), 's.zip'));
  });
});

describe('labels -> ROI zip -> labels on real fields', () => {
  it.each([...dsbLabelFiles(4), ...HOLE_FIELDS, SPLIT_FIELD].map((f) => [f.slice(-20), f]))('%s round-trips exactly', async (_n, f) => {
    const labels = await readLabels(f);
    const zip = labelsToRoiZip(labels);
    const set = readRoiZip(zip, 'RoiSet.zip');
    const r = rasterizeObjects(set.objects, labels.width, labels.height);
    expect(r.idSource).toBe('kept');
    expect(r.overlapPixels).toBe(0);
    expect(sameLabels(r.labels, labels)).toBe(true);
    expect(labelsToRoiZip(labels)).toEqual(zip); // deterministic bytes
  });

  it('simple nuclei are traced ROIs, nuclei with holes or in pieces composite ones', async () => {
    const types = (f: string) => readLabels(f).then((l) => readRoiZip(labelsToRoiZip(l), 'z').objects.map((o) => o.objectType));
    expect(new Set(await types(dsbLabelFiles(1)[0]))).toEqual(new Set(['traced']));
    expect((await types(HOLE_FIELDS[0])).filter((t) => t === 'composite').length).toBeGreaterThan(0);
    expect((await types(SPLIT_FIELD)).filter((t) => t === 'composite').length).toBeGreaterThan(0);
  });

  it('the encoder writes what the Python fixtures write for the same shapes', () => {
    const py = readFileSync(join(dir, 'composite.roi'));
    const rings: [number, number][][] = [[[20, 12], [30, 12], [30, 22], [20, 22]], [[23, 15], [23, 19], [27, 19], [27, 15]], [[33, 12], [35, 12], [35, 14], [33, 14]]];
    expect(Buffer.from(encodeCompositeRoi(rings, 'with hole'))).toEqual(py);
    // the traced fixture has no header2; header fields 0..59 and the coordinates must match
    const traced = readFileSync(join(dir, 'traced.roi'));
    const ours = encodeTracedRoi([[30, 1], [33, 1], [33, 2], [35, 2], [35, 6], [30, 6], [30, 1]], 'x');
    expect(Buffer.from(ours.subarray(0, 60))).toEqual(traced.subarray(0, 60));
    expect(Buffer.from(ours.subarray(64, 64 + 4 * 6))).toEqual(traced.subarray(64, 64 + 4 * 6));
  });
});

describe('malformed input: a NucsegError naming the file, never anything else', () => {
  const expectUserError = (f: () => unknown, re?: RegExp) => {
    try {
      f();
    } catch (e) {
      if (!(e instanceof NucsegError)) throw e;
      if (re) expect(e.message).toMatch(re);
      return;
    }
  };

  it('every truncation of every fixture, and garbage', () => {
    for (const k of ['rect', 'oval', 'polygon', 'traced', 'freehand', 'composite', 'line']) {
      const b = readFileSync(join(dir, `${k}.roi`));
      for (let n = 0; n < b.length; n++) expectUserError(() => decodeRoi(b.subarray(0, n), `${k}.roi`), new RegExp(`^${k}\\.roi: `));
    }
    expect(() => decodeRoi(new Uint8Array(10), 'x.roi')).toThrow('x.roi: truncated: 10 bytes, an ImageJ ROI header has 64');
    expect(() => decodeRoi(new Uint8Array(100), 'x.roi')).toThrow('x.roi: not an ImageJ ROI (no "Iout" magic)');
    const cut = readFileSync(join(dir, 'polygon.roi')).subarray(0, 70);
    expect(() => decodeRoi(cut, 'p.roi')).toThrow('p.roi: truncated: 6 coordinates needs 88 bytes, the ROI has 70');
  });

  it('random byte changes of every fixture (deterministic)', () => {
    let seed = 17;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 8) / (1 << 24);
    for (const k of ['rect', 'oval', 'polygon', 'traced', 'freehand', 'composite']) {
      const b = readFileSync(join(dir, `${k}.roi`));
      for (let t = 0; t < 400; t++) {
        const m = Uint8Array.from(b);
        for (let j = 0; j < 1 + rnd() * 4; j++) m[Math.floor(rnd() * m.length)] = Math.floor(rnd() * 256);
        expectUserError(() => {
          const d = decodeRoi(m, `${k}.roi`);
          if ('object' in d) rasterizeObjects([d.object], 64, 64);
        });
      }
    }
  });

  it('bad zips: not a zip, a cut zip, no .roi entries, an entry claiming a huge size, a bad ROI inside', () => {
    const zip = readFileSync(join(dir, 'RoiSet.zip'));
    expect(() => readRoiZip(new TextEncoder().encode('hello'), 'a.zip')).toThrow(/^a\.zip: not a readable zip/);
    for (let n = 0; n < zip.length; n += 7) expectUserError(() => readRoiZip(zip.subarray(0, n), 'cut.zip'), /^cut\.zip: /);
    expect(() => readRoiZip(zipSync({ 'a.txt': new Uint8Array(3) }), 'e.zip')).toThrow('e.zip: no .roi entries in the zip');
    expect(() => readRoiZip(zipSync({ 'x.roi': new Uint8Array(70) }), 'z.zip')).toThrow('z.zip: x.roi: not an ImageJ ROI (no "Iout" magic)');
    const big = Uint8Array.from(zipSync({ 'x.roi': new Uint8Array(10) }, { level: 0 }));
    const cd = big.length - 22 - (46 + 5); // central directory entry: uncompressed size at +24
    new DataView(big.buffer).setUint32(cd + 24, 0xfffffff0, true);
    expect(() => readRoiZip(big, 'bomb.zip')).toThrow('bomb.zip: x.roi: unpacks to 4294967280 bytes (more than 16777216 for one ROI)');
    expect(unzipSync(zipSync({ 'x.roi': new Uint8Array(1) }))['x.roi'].length).toBe(1);
  });
});
