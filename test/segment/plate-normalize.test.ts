import { describe, expect, it } from 'vitest';
import { normalizeImage, percentiles } from '../../lib/segment/normalize.js';
import { compileNamePattern, parsePlateName } from '../../lib/segment/plate.js';
import { rng } from '../helpers/perturb.js';

describe('plate metadata from file names', () => {
  it('Yokogawa CV7000/CV8000', () => {
    expect(parsePlateName('/x/AssayPlate_Greiner_#655090_B07_T0001F002L01A01Z01C01.tif')).toEqual({
      plate: 'AssayPlate_Greiner_#655090',
      well: 'B07',
      row: 'B',
      column: 7,
      field: 2,
      z: 1,
      channel: '01',
      timepoint: 1,
    });
  });
  it('Molecular Devices ImageXpress', () => {
    expect(parsePlateName('IXMtest_A16_s3_w1032BE329-E21B-4E1B-B4B8-58700685EE0C.tif')).toMatchObject({ plate: 'IXMtest', well: 'A16', row: 'A', column: 16, field: 3, channel: '1' });
    expect(parsePlateName('MyPlate_P24_s12.tif')).toMatchObject({ well: 'P24', field: 12 });
  });
  it('custom pattern with named groups, and clear errors', () => {
    const re = compileNamePattern('^r(?<row>\\d+)c(?<column>\\d+)f(?<field>\\d+)-ch(?<channel>\\d)');
    expect(parsePlateName('r03c12f05-ch2.tiff', re)).toMatchObject({ column: 12, field: 5, channel: '2' });
    expect(() => compileNamePattern('(?<well>[')).toThrow(/not a valid regular expression/);
    expect(() => compileNamePattern('(?<foo>\\d+)')).toThrow(/named group/);
    expect(parsePlateName('random_name.tif')).toEqual({});
  });
});

describe('intensity normalization', () => {
  it('percentiles match numpy.percentile (linear) on 16-bit data', () => {
    const d = Uint16Array.from({ length: 1001 }, (_, i) => (i * 37) % 1001);
    const [p1, p50, p998] = percentiles({ data: d, width: 1001, height: 1 }, [1, 50, 99.8]);
    expect(p1).toBeCloseTo(10, 9);
    expect(p50).toBeCloseTo(500, 9);
    expect(p998).toBeCloseTo(998, 9);
  });

  it('an empty (noise-only) field is not stretched into fake nuclei', () => {
    const r = rng(4);
    const n = 256 * 256;
    const noise = Uint16Array.from({ length: n }, () => {
      // Gaussian noise around 400 counts, sigma 6 (Box-Muller)
      const u = Math.max(1e-9, r()), v = r();
      return Math.round(400 + 6 * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v));
    });
    const out = normalizeImage({ data: noise, width: 256, height: 256 });
    let mx = 0;
    for (const x of out.data) mx = Math.max(mx, x);
    expect(mx).toBeLessThan(0.7);
    // with the noise floor off, the same field is stretched to full range
    const raw = normalizeImage({ data: noise, width: 256, height: 256 }, { minRangeSigma: 0 });
    expect(Math.max(...raw.data)).toBe(1);
  });

  it('explicit ranges, minmax and bad options', () => {
    const im = { data: new Uint16Array([0, 100, 200, 300]), width: 4, height: 1 };
    expect(Array.from(normalizeImage(im, { range: [100, 300] }).data)).toEqual([0, 0, 0.5, 1]);
    expect(Array.from(normalizeImage(im, { mode: 'minmax' }).data)).toEqual([0, 1 / 3, 2 / 3, 1].map((v) => Math.fround(v)));
    expect(() => normalizeImage(im, { range: [5, 5] })).toThrow(/empty/);
    expect(() => normalizeImage(im, { low: 50, high: 10 })).toThrow(/percentiles/);
  });
});
