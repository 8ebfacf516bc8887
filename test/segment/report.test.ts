// nucseg report (lib/segment/report.ts, report-qc.ts, qc.ts, lib/html/page.ts): a real run on
// fields of ../shared/data named as an ImageXpress plate (BBBC039, its own names) and a
// CV7000 plate (DSB fields renamed), with an injected empty field and a blurred one, opened
// in headless Chromium; and a 2,000-field synthetic summary.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { PNG } from 'pngjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { readImage } from '../../lib/image/read.js';
import { lowConfidenceArea } from '../../lib/models/fpn2ws.js';
import { laplacianFocus, saturatedFraction } from '../../lib/segment/qc.js';
import { writeRunReport } from '../../lib/segment/report.js';
import { flagFields } from '../../lib/segment/report-qc.js';
import { renderHtmlPage } from '../../lib/html/page.js';
import { REPO, SHARED } from '../helpers/data.js';
import { CHROMIUM, visitPage } from '../helpers/browser.js';
import { python, tempDir } from '../helpers/tools.js';

const NUCSEG = join(REPO, 'bin', 'nucseg.js');

// The plate folder: BBBC039's 10 fields (ImageXpress names), a blurred copy (Gaussian σ = 4)
// of the first as well P23, an empty field (that field's background level and noise) as P24,
// and 12 DSB 256² fields of one nucleus size class as CV7000 plate wells B02–B07, 2 fields each.
const MAKE_PLATE = String.raw`
import sys, os, csv, shutil, numpy as np, tifffile
from scipy.ndimage import gaussian_filter
shared, out = sys.argv[1], sys.argv[2]
bb = os.path.join(shared, 'data', 'bbbc039-small', 'images')
files = sorted(os.listdir(bb))
for f in files: shutil.copy(os.path.join(bb, f), os.path.join(out, f))
im = tifffile.imread(os.path.join(bb, files[0]))
tifffile.imwrite(os.path.join(out, 'IXMtest_P23_s1_w1BLUR.tif'), np.round(gaussian_filter(im.astype(np.float64), 4)).astype(im.dtype))
bg = im[im <= np.percentile(im, 30)].astype(np.float64)
noise = np.random.default_rng(0).normal(bg.mean(), bg.std(), im.shape)
tifffile.imwrite(os.path.join(out, 'IXMtest_P24_s1_w1EMPTY.tif'), np.clip(noise, 0, 65535).astype(im.dtype))
dsb = os.path.join(shared, 'data', 'dsb2018-fluo')
rows = [r for r in csv.DictReader(open(os.path.join(dsb, 'manifest.csv'))) if r['size_group'] == '256x256' and 150 <= float(r['median_area_px']) <= 260]
for k, r in enumerate(sorted(rows, key=lambda r: r['id'])[:12]):
    shutil.copy(os.path.join(dsb, 'train', 'images', r['id'] + '.tif'), os.path.join(out, 'CV7000plate_B%02d_T0001F%03dL01A01Z01C01.tif' % (2 + k // 2, 1 + k % 2)))
`;

interface Probe {
  wells: Record<string, { well: string; nuclei: number; fields: number }[]>;
  flagged: string[];
  thumbnails: number;
  tables: number;
}

describe('nucseg report', () => {
  let dir: string, out: string;
  beforeAll(() => {
    dir = tempDir('nucseg-report-');
    out = join(dir, 'r');
    python(MAKE_PLATE, [SHARED, dir]);
    const r = spawnSync(process.execPath, [NUCSEG, 'segment', dir, '--out', out, '--model', 'nuclei-fpn2ws-dsb-fast', '--report', '--quiet', '--threads', '2'], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  }, 240_000);

  it.skipIf(!CHROMIUM)('segment --report: the page opens offline in Chromium without errors; plate maps, flags and thumbnails match summary.csv', async () => {
    const page = join(out, 'report.html');
    const summary = parse(readFileSync(join(out, 'summary.csv'), 'utf8'), { columns: true }) as Record<string, string>[];
    expect(summary).toHaveLength(24);
    const v = await visitPage<Probe>(page, () => {
      const views = (window as unknown as { nucseg: { views: Record<string, { data(n: string): { well: string; nuclei: number; fields: number; plate: string }[] }> } }).nucseg.views;
      const wells: Probe['wells'] = {};
      for (const id of Object.keys(views).filter((k) => k.startsWith('plate-'))) {
        const rows = views[id].data('wells');
        wells[rows[0].plate] = rows.map((r) => ({ well: r.well, nuclei: r.nuclei, fields: r.fields }));
      }
      return {
        wells,
        flagged: [...document.querySelectorAll('#flagged tbody tr')].map((tr) => tr.children[0].textContent ?? ''),
        thumbnails: [...document.querySelectorAll('#thumbnails img')].filter((im) => (im as HTMLImageElement).naturalWidth > 0 || !(im as HTMLImageElement).complete).length,
        tables: document.querySelectorAll('table').length,
      };
    });
    expect(v.errors).toEqual([]);
    // one cell per well present, its mean nuclei per field as summary.csv gives it
    for (const plate of ['IXMtest', 'CV7000plate']) {
      const rows = summary.filter((s) => s.plate === plate);
      const byWell = new Map<string, number[]>();
      for (const s of rows) byWell.set(s.well, [...(byWell.get(s.well) ?? []), Number(s.count)]);
      expect(v.result.wells[plate].map((w) => w.well).sort()).toEqual([...byWell.keys()].sort());
      for (const w of v.result.wells[plate]) {
        const counts = byWell.get(w.well)!;
        expect(w.fields).toBe(counts.length);
        expect(w.nuclei).toBeCloseTo(counts.reduce((a, b) => a + b, 0) / counts.length, 1);
      }
    }
    expect(v.result.wells.IXMtest).toHaveLength(12);
    expect(v.result.wells.CV7000plate).toHaveLength(6);
    // the injected empty and blurred fields are flagged; a normal field is not
    expect(v.result.flagged).toContain('IXMtest_P24_s1_w1EMPTY');
    expect(v.result.flagged).toContain('IXMtest_P23_s1_w1BLUR');
    const normal = summary.find((s) => s.image.startsWith('IXMtest_B20'))!.image;
    expect(v.result.flagged).not.toContain(normal);
    expect(v.result.thumbnails).toBe(24);
    // the screenshot is not blank: many distinct colours over a large page
    const png = PNG.sync.read(Buffer.from(v.screenshot));
    const colours = new Set<number>();
    for (let i = 0; i < png.data.length; i += 4 * 97) colours.add((png.data[i] << 16) | (png.data[i + 1] << 8) | png.data[i + 2]);
    expect(png.height).toBeGreaterThan(900);
    expect(colours.size).toBeGreaterThan(50);
  }, 120_000);

  it('the QC measures: the blurred field loses > 10x focus, the empty field has no nuclei, saturation and low confidence as measured', () => {
    const summary = parse(readFileSync(join(out, 'summary.csv'), 'utf8'), { columns: true }) as Record<string, string>[];
    const get = (prefix: string) => summary.find((s) => s.image.startsWith(prefix))!;
    const first = summary.filter((s) => s.plate === 'IXMtest').sort((a, b) => (a.file < b.file ? -1 : 1))[0];
    expect(Number(get('IXMtest_P23').focus)).toBeLessThan(Number(first.focus) / 10);
    expect(Number(get('IXMtest_P24').count)).toBe(0);
    for (const s of summary.filter((x) => Number(x.count) > 0)) {
      expect(Number(s.low_confidence_fraction)).toBeGreaterThanOrEqual(0);
      expect(Number(s.low_confidence_fraction)).toBeLessThan(0.25);
    }
  });

  it('a plate of 2,000 synthetic summary rows builds in bounded time and size', async () => {
    const d = tempDir('nucseg-report-big-');
    const head = 'image,file,plate,well,field,z,channel,status,count,mean_area,diameter,diameter_source,scale,median_area,median_intensity,foreground_fraction,focus,saturated_fraction,low_confidence_fraction,seconds,error';
    const rows = [head];
    let seed = 1;
    const rnd = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    for (let k = 0; k < 2000; k++) {
      const well = `${String.fromCharCode(65 + ((k >> 2) % 16))}${String(1 + Math.floor(k / 64) % 24).padStart(2, '0')}`;
      const p = `P${Math.floor(k / 1536)}`;
      rows.push([`${p}_${well}_s${k % 4}`, `in/${k}.tif`, p, well, k % 4, '', '', 'done', Math.round(80 + 40 * rnd()), 300, 24, 'auto', 1, 300 + 30 * rnd(), 500 + 50 * rnd(), 0.2, 0.05 * (1 + 0.2 * rnd()), 0, 0.01, 1.5, ''].join(','));
    }
    writeFileSync(join(d, 'summary.csv'), rows.join('\n') + '\n');
    const t0 = performance.now();
    const page = await writeRunReport(d);
    expect(performance.now() - t0).toBeLessThan(30_000); // a guard against a hang, not a speed test
    expect(statSync(page).size).toBeLessThan(2_000_000);
  }, 60_000);

  it('a folder without summary.csv is one clear line and exit 1', () => {
    const r = spawnSync(process.execPath, [NUCSEG, 'report', tempDir('nucseg-report-none-')], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/no summary\.csv here/);
  });
});

describe('QC measures', () => {
  it('laplacianFocus equals NumPy on a real field and on its blurred copy, which loses > 10x', async () => {
    const f = join(SHARED, 'data', 'bbbc039-small', 'images', 'IXMtest_B20_s2_w159B9FE71-035A-4DED-B0CA-C76916C968BC.tif');
    const blurredFile = join(tempDir('nucseg-focus-'), 'blur.tif');
    const ref = JSON.parse(python(String.raw`
import sys, json, numpy as np, tifffile
from scipy.ndimage import gaussian_filter
im = tifffile.imread(sys.argv[1]).astype(np.float64)
def focus(a):
    lap = a[1:-1, :-2] + a[1:-1, 2:] + a[:-2, 1:-1] + a[2:, 1:-1] - 4 * a[1:-1, 1:-1]
    return lap.var() / a.var()
b = np.round(gaussian_filter(im, 4))
tifffile.imwrite(sys.argv[2], b.astype(np.uint16))
print(json.dumps({"sharp": focus(im), "blur": focus(b)}))
`, [f, blurredFile]));
    expect(laplacianFocus(await readImage(f)) / ref.sharp).toBeCloseTo(1, 9);
    expect(laplacianFocus(await readImage(blurredFile)) / ref.blur).toBeCloseTo(1, 9);
    expect(ref.blur).toBeLessThan(ref.sharp / 10);
  });

  it('saturatedFraction counts pixels at a camera ceiling only', () => {
    expect(saturatedFraction({ data: new Uint16Array([4095, 4095, 10, 0]), width: 2, height: 2 })).toBe(0.5);
    expect(saturatedFraction({ data: new Uint16Array([4000, 4000, 10, 0]), width: 2, height: 2 })).toBe(0);
    expect(saturatedFraction({ data: new Uint8Array([255, 1, 2, 3]), width: 2, height: 2 })).toBe(0.25);
    expect(saturatedFraction({ data: new Float32Array([1, 1, 1, 1]), width: 2, height: 2 })).toBe(0);
  });

  it('lowConfidenceArea: the area of nuclei whose peak distance is below the cut', () => {
    const distance = { data: new Float32Array([0.9, 0.5, 0.3, 0.2, 0, 0.8]), width: 6, height: 1 };
    const labels = { data: new Uint16Array([1, 1, 2, 2, 0, 3]), width: 6, height: 1 };
    expect(lowConfidenceArea(distance, labels, 0.75)).toEqual({ low: 2, total: 5 });
  });
});

describe('report robustness (hostile trial)', () => {
  it('file names cannot become URLs of their own: paths are percent-encoded, relative', () => {
    const html = renderHtmlPage('t', [{ kind: 'images', items: [{ src: 'r/javascript:alert(1)#x?.thumb.png', href: 'r/javascript:alert(1).overlay.png', caption: '<b>x</b>' }] }]);
    expect(html).toContain('src="./r/javascript%3Aalert(1)%23x%3F.thumb.png"');
    expect(html).toContain('href="./r/javascript%3Aalert(1).overlay.png"');
    expect(html).not.toMatch(/(src|href)="javascript/);
    expect(html).toContain('&lt;b&gt;x&lt;/b&gt;');
  });

  it('a summary without QC measures (an older run) flags no field but the empty ones; a flat field is out of focus', () => {
    const f = (image: string, count: number, focus = NaN) => ({ image, file: '', plate: 'P', well: 'A01', field: '1', status: 'done', count, medianArea: NaN, medianIntensity: NaN, focus, saturated: NaN, lowConfidence: null, seconds: 1, error: '' });
    const flagged = flagFields([f('a', 100), f('b', 120), f('c', 0), f('d', 110), f('e', 90, 0)]);
    expect(flagged.map((x) => [x.image, x.flags.join('+')])).toEqual([['a', ''], ['b', ''], ['c', 'empty'], ['d', ''], ['e', 'out of focus']]);
  });

  it('segment --report on a run made without it writes the thumbnails (the images are redone)', () => {
    const d = tempDir('nucseg-report-rerun-'), out = join(d, 'r');
    const field = join(REPO, 'examples', 'fields', 'images', 'dsb-3ebd2ab3.tif');
    const run = (...extra: string[]) => spawnSync(process.execPath, [NUCSEG, 'segment', field, '--out', out, '--model', 'classic', '--quiet', ...extra], { encoding: 'utf8' });
    expect(run().status).toBe(0);
    expect(existsSync(join(out, 'dsb-3ebd2ab3.thumb.png'))).toBe(false);
    expect(run('--report').status).toBe(0);
    expect(existsSync(join(out, 'dsb-3ebd2ab3.thumb.png'))).toBe(true);
    expect(readFileSync(join(out, 'report.html'), 'utf8')).toContain('./dsb-3ebd2ab3.thumb.png');
    const bad = spawnSync(process.execPath, [NUCSEG, 'report', out, '--out', join(out, 'summary.csv')], { encoding: 'utf8' });
    expect([bad.status, bad.stderr.trim().split('\n').length]).toEqual([1, 1]);
    expect(bad.stderr).toMatch(/summary\.csv: the report is an HTML file/);
  });
});
