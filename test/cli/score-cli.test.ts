import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { readLabels } from '../../lib/image/read.js';
import { writeLabels } from '../../lib/image/write.js';
import { score } from '../../lib/score/metrics.js';
import { REPO, dsbLabelFiles } from '../helpers/data.js';
import { perturb } from '../helpers/perturb.js';
import { python, tempDir } from '../helpers/tools.js';

const BIN = join(REPO, 'bin', 'nucseg.js');

function nucseg(args: string[], cwd = REPO) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Two folders of real labels: gt/<name>.tif and pred/<name>.labels.tif (perturbed). */
async function makeSet(n: number) {
  const dir = tempDir('nucseg-cli-');
  mkdirSync(join(dir, 'gt'));
  mkdirSync(join(dir, 'pred'));
  const files = dsbLabelFiles(n);
  const expected = [];
  for (const [i, f] of files.entries()) {
    const gt = await readLabels(f);
    const { pred } = perturb(gt, 500 + i);
    const name = `field${String(i).padStart(2, '0')}`;
    copyFileSync(f, join(dir, 'gt', `${name}.tif`));
    await writeLabels(join(dir, 'pred', `${name}.labels.tif`), pred);
    expected.push({ name, r: score(gt, pred) });
  }
  return { dir, expected };
}

describe('nucseg score (CLI)', () => {
  it('scores two folders of real labels, prints a table and writes JSON, CSV, plot and error images', async () => {
    const { dir, expected } = await makeSet(4);
    const out = join(dir, 'out');
    const r = nucseg(['score', '--gt', join(dir, 'gt'), '--pred', join(dir, 'pred'), '--json', join(out, 's.json'), '--csv', join(out, 's.csv'), '--plot', join(out, 'f1.svg'), '--errors-dir', join(out, 'errors')]);
    expect(r.stderr).not.toMatch(/error/i);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/IoU t\s+TP\s+FP\s+FN\s+F1 pooled\s+F1 mean/);
    expect(r.stdout).toMatch(/splits .*: \d+/);

    const j = JSON.parse(readFileSync(join(out, 's.json'), 'utf8'));
    expect(j.schema).toBe('nucseg.score/1');
    expect(j.thresholds).toEqual([0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95]);
    expect(j.images.map((i: { name: string }) => i.name)).toEqual(expected.map((e) => e.name));
    for (const [k, e] of expected.entries()) {
      for (const key of ['tp', 'fp', 'fn', 'f1', 'precision', 'recall', 'splits', 'merges', 'nGt', 'nPred'] as const) expect(j.images[k][key]).toEqual(e.r[key]);
    }
    // pooled = sums then F1; mean = average of per-image F1
    const tp0 = expected.reduce((a, e) => a + e.r.tp[0], 0), fp0 = expected.reduce((a, e) => a + e.r.fp[0], 0), fn0 = expected.reduce((a, e) => a + e.r.fn[0], 0);
    expect(j.pooled.tp[0]).toBe(tp0);
    expect(j.pooled.f1[0]).toBeCloseTo((2 * tp0) / (2 * tp0 + fp0 + fn0), 12);
    expect(j.mean.f1[0]).toBeCloseTo(expected.reduce((a, e) => a + e.r.f1[0], 0) / expected.length, 12);
    for (const key of ['tp', 'fp', 'fn', 'f1', 'precision', 'recall', 'splits', 'merges', 'nGt', 'nPred']) expect(j.pooled).toHaveProperty(key);

    const csv = readFileSync(join(out, 's.csv'), 'utf8').trim().split('\n');
    expect(csv[0]).toBe('image,gt_file,pred_file,threshold,tp,fp,fn,f1,precision,recall,accuracy,mean_matched_iou,pq,n_gt,n_pred,splits,merges');
    expect(csv.length).toBe(1 + 10 * (2 + 4));
    // pandas reads it
    expect(python('import sys,pandas as pd;d=pd.read_csv(sys.argv[1]);print(len(d), int(d[d.image=="(pooled)"].tp.iloc[0]))', [join(out, 's.csv')]).trim()).toBe(`60 ${tp0}`);

    const svg = readFileSync(join(out, 'f1.svg'), 'utf8');
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('IoU threshold');

    const pngs = readdirSync(join(out, 'errors')).sort();
    expect(pngs).toEqual(expected.map((e) => `${e.name}.errors.png`));
    const png = PNG.sync.read(readFileSync(join(out, 'errors', pngs[0])));
    let magenta = 0;
    for (let i = 0; i < png.data.length; i += 4) if (png.data[i] === 255 && png.data[i + 1] === 0 && png.data[i + 2] === 255) magenta++;
    expect(magenta).toBeGreaterThan(0);
    expect(readdirSync(out).filter((f) => f.includes('.tmp'))).toEqual([]);
  });

  it('error images draw missed nuclei in full and only the XOR elsewhere', async () => {
    const dir = tempDir('nucseg-err-');
    const gt = await readLabels(dsbLabelFiles(1)[0]);
    const pred = { ...gt, data: gt.data.slice() };
    const ids = [...new Set(gt.data)].filter((v) => v);
    const missed = ids[0];
    let missedArea = 0;
    for (let i = 0; i < pred.data.length; i++) if (pred.data[i] === missed) {
      pred.data[i] = 0;
      missedArea++;
    }
    mkdirSync(join(dir, 'g'));
    mkdirSync(join(dir, 'p'));
    await writeLabels(join(dir, 'g', 'a.tif'), gt);
    await writeLabels(join(dir, 'p', 'a.tif'), pred);
    expect(nucseg(['score', '--gt', join(dir, 'g'), '--pred', join(dir, 'p'), '--errors-dir', join(dir, 'e'), '--quiet']).code).toBe(0);
    const png = PNG.sync.read(readFileSync(join(dir, 'e', 'a.errors.png')));
    let magenta = 0;
    for (let i = 0; i < png.data.length; i += 4) if (png.data[i] === 255 && png.data[i + 1] === 0 && png.data[i + 2] === 255) magenta++;
    expect(magenta).toBe(missedArea);
  });

  it('fails on unpaired files unless --allow-unpaired, listing them', async () => {
    const { dir } = await makeSet(2);
    writeFileSync(join(dir, 'gt', 'extra.tif'), readFileSync(join(dir, 'gt', 'field00.tif')));
    let r = nucseg(['score', '--gt', join(dir, 'gt'), '--pred', join(dir, 'pred')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/1 file\(s\) have no partner/);
    expect(r.stderr).toMatch(/ground truth without prediction: .*extra\.tif/);
    r = nucseg(['score', '--gt', join(dir, 'gt'), '--pred', join(dir, 'pred'), '--allow-unpaired']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/unpaired \(not scored\): 1 ground-truth/);
  });

  it('bad input: size mismatch, RGB labels, empty sets, bad options -> one-line error, exit 1, no outputs', async () => {
    const { dir } = await makeSet(2);
    // a size mismatch in the second pair
    await writeLabels(join(dir, 'pred', 'field01.labels.tif'), { data: new Uint16Array(12), width: 4, height: 3 });
    const json = join(dir, 'never.json');
    let r = nucseg(['score', '--gt', join(dir, 'gt'), '--pred', join(dir, 'pred'), '--json', json]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n').filter((l) => l.startsWith('nucseg:'))).toHaveLength(1);
    expect(r.stderr).toMatch(/field01\.labels\.tif: size 4x3 differs from its ground truth/);
    expect(existsSync(json)).toBe(false);

    python('import sys,tifffile,numpy as np;tifffile.imwrite(sys.argv[1], np.zeros((8,8,3),np.uint8), photometric="rgb")', [join(dir, 'pred', 'field01.labels.tif')]);
    r = nucseg(['score', '--gt', join(dir, 'gt'), '--pred', join(dir, 'pred')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/field01\.labels\.tif: has 3 samples per pixel/);

    mkdirSync(join(dir, 'empty'));
    r = nucseg(['score', '--gt', join(dir, 'empty'), '--pred', join(dir, 'pred')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/no ground-truth images found/);

    r = nucseg(['score', '--gt', join(dir, 'gt'), '--pred', join(dir, 'gt'), '--thresholds', '0.5,2']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/outside \(0, 1\]/);
    expect(r.stderr).not.toMatch(/at .*\.js/); // no stack trace for bad input

    // an empty file name (a shell variable that was not set) is an error, not silently no output
    for (const opt of ['--json', '--csv', '--plot', '--report', '--errors-dir']) {
      r = nucseg(['score', '--gt', join(dir, 'gt'), '--pred', join(dir, 'gt'), opt, '']);
      expect(r.code).toBe(1);
      expect(r.stderr.trim()).toBe(`nucseg: ${opt} is empty: give a path ('-' is standard output for --json, --csv and --plot)`);
    }
  });

  it('scores ground truth against itself as F1 = 1, with custom thresholds and ranges', async () => {
    const { dir } = await makeSet(2);
    const json = join(dir, 'self.json');
    const r = nucseg(['score', '--gt', join(dir, 'gt'), '--pred', join(dir, 'gt'), '--thresholds', '0.3:0.2:0.9', '--json', json, '--quiet']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    const j = JSON.parse(readFileSync(json, 'utf8'));
    expect(j.thresholds).toEqual([0.3, 0.5, 0.7, 0.9]);
    expect(j.pooled.f1).toEqual([1, 1, 1, 1]);
    // one threshold: the per-image table has one F1 column, not the same one twice
    const one = nucseg(['score', '--gt', join(dir, 'gt'), '--pred', join(dir, 'gt'), '--thresholds', '0.7']);
    expect(one.code).toBe(0);
    const head = one.stdout.split('\n').find((l) => l.startsWith('image'))!;
    expect(head.split(/\s+/)).toEqual(['image', 'GT', 'pred', 'F1@0.70', 'splits', 'merges']);
    // a threshold given twice is scored once; close ones get the decimals that tell them apart
    const twice = nucseg(['score', '--gt', join(dir, 'gt'), '--pred', join(dir, 'gt'), '--thresholds', '0.7,0.7', '--json', '-']);
    expect(JSON.parse(twice.stdout).thresholds).toEqual([0.7]);
    const close = nucseg(['score', '--gt', join(dir, 'gt'), '--pred', join(dir, 'gt'), '--thresholds', '0.701,0.704']);
    expect(close.stdout.split('\n').find((l) => l.startsWith('image'))!.split(/\s+/)).toEqual(['image', 'GT', 'pred', 'F1@0.701', 'F1@0.704', 'splits', 'merges']);
  });

  it("'-' writes the JSON, CSV or plot to standard output instead of the table, and no file named '-'", async () => {
    const { dir } = await makeSet(2);
    const args = ['score', '--gt', join(dir, 'gt'), '--pred', join(dir, 'pred')];
    nucseg([...args, '--json', join(dir, 's.json'), '--csv', join(dir, 's.csv'), '--quiet']);
    const j = nucseg([...args, '--json', '-'], dir);
    expect(j.code).toBe(0);
    const file = JSON.parse(readFileSync(join(dir, 's.json'), 'utf8'));
    expect(JSON.parse(j.stdout)).toEqual(file); // the whole of stdout is the JSON
    const c = nucseg([...args, '--csv', '-', '--json', join(dir, 't.json')], dir);
    expect(c.stdout).toBe(readFileSync(join(dir, 's.csv'), 'utf8'));
    expect(existsSync(join(dir, 't.json'))).toBe(true);
    const p = nucseg([...args, '--plot', '-'], dir);
    expect(p.stdout.startsWith('<svg') || p.stdout.startsWith('<?xml')).toBe(true);
    expect(p.stdout.endsWith('\n')).toBe(true);
    // an unpaired file: the table's note goes to stderr when stdout carries the data
    copyFileSync(join(dir, 'gt', readdirSync(join(dir, 'gt'))[0]), join(dir, 'gt', 'extra.tif'));
    const u = nucseg([...args, '--csv', '-', '--allow-unpaired'], dir);
    expect(u.code).toBe(0);
    expect(u.stderr).toContain('nucseg: unpaired (not scored): 1 ground-truth, 0 prediction file(s)');
    expect(existsSync(join(dir, '-'))).toBe(false);
    const two = nucseg([...args, '--csv', '-', '--plot', '-'], dir);
    expect(two.code).toBe(1);
    expect(two.stderr.trim()).toBe("nucseg: only one of --csv, --plot can be '-' (standard output)");
  });

  it('a reader that stops early (| head -n 1) ends nucseg quietly, without a stack trace', () => {
    const labels = join(REPO, '..', 'shared', 'data', 'dsb2018-fluo', 'train', 'labels', '0*.tif'); // ~40 images: CSV far over a pipe's 64 KB
    const r = spawnSync('sh', ['-c', `"${process.execPath}" "${BIN}" score --gt '${labels}' --pred '${labels}' --csv - --quiet | head -n 1`], { encoding: 'utf8' });
    expect(r.stdout.startsWith('image,gt_file,pred_file,threshold')).toBe(true);
    expect(r.stderr).toBe('');
    // any other failure to write standard output is said, once, with exit code 2
    const full = spawnSync('sh', ['-c', `"${process.execPath}" "${BIN}" score --gt '${labels}' --pred '${labels}' --csv - --quiet > /dev/full`], { encoding: 'utf8' });
    expect(full.status).toBe(2);
    expect(full.stderr.trim()).toBe('nucseg: cannot write to standard output (ENOSPC)');
  });

  it('nucseg info reports the backends', () => {
    const r = nucseg(['info', '--json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.native.cpu.threads).toBeGreaterThan(0);
    expect(typeof j.native.cuda.compiled).toBe('boolean');
    expect(j.kernelBackends).toContain('cpu');
  });
});
