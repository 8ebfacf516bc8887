// nucseg annotations convert (lib/cli/annotations.ts), run in-process through clipanion the
// way lib/cli/main.ts runs every command: outputs, the summary line, and one error line with
// exit code 1 on bad input.
import { copyFileSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { createRequire } from 'node:module';
import { Cli } from 'clipanion';
import { describe, expect, it, vi } from 'vitest';
import { AnnotationsConvertCommand } from '../../lib/cli/annotations.js';
import { readLabels } from '../../lib/image/read.js';
import { labelsToRoiZip } from '../../lib/annotations/roi-zip.js';
import { labelsToGeoJson } from '../../lib/segment/outputs.js';
import { DSB } from '../helpers/data.js';
import { tempDir } from '../helpers/tools.js';
import { HOLE_FIELDS, sameLabels } from './fields.js';

// vitest resolves clipanion to its ESM build, which imports a folder (Node's resolver, as
// bin/nucseg.js uses, takes the CommonJS build): hand every importer the CommonJS build
vi.mock('clipanion', () => createRequire(import.meta.url)('clipanion'));

async function nucseg(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const cli = new Cli({ binaryName: 'nucseg', enableColors: false });
  cli.register(AnnotationsConvertCommand);
  const out = new PassThrough(), err = new PassThrough();
  let stdout = '', stderr = '';
  out.on('data', (d) => (stdout += d));
  err.on('data', (d) => (stderr += d));
  const code = await cli.run(args, { stdout: out, stderr: err });
  return { code, stdout, stderr };
}

const FIELD = HOLE_FIELDS[1];
const IMAGE = FIELD.replace(join('train', 'labels'), join('train', 'images'));

describe('nucseg annotations convert', () => {
  it('GeoJSON (segment --geojson) -> labels on the --like field gives the labels back; labels -> ROI zip -> labels too', async () => {
    const dir = tempDir('nucseg-conv-');
    const labels = await readLabels(FIELD);
    writeFileSync(join(dir, 'a.geojson'), JSON.stringify(labelsToGeoJson(labels)));
    const r1 = await nucseg(['annotations', 'convert', join(dir, 'a.geojson'), '--like', IMAGE, '--to', 'labels', '--out', join(dir, 'a.tif')]);
    expect(r1.stderr).toBe('');
    expect(r1.code).toBe(0);
    expect(r1.stdout).toMatch(/a\.geojson -> .*a\.tif: \d+ objects; ids kept\n$/);
    expect(sameLabels(await readLabels(join(dir, 'a.tif')), labels)).toBe(true);
    const r2 = await nucseg(['annotations', 'convert', FIELD, '--to', 'roi-zip', '--out', join(dir, 'b.zip')]);
    expect(r2.code).toBe(0);
    const r3 = await nucseg(['annotations', 'convert', join(dir, 'b.zip'), '--like', FIELD, '--to', 'geojson', '--out', join(dir, 'c.geojson')]);
    expect(r3.code).toBe(0);
    const r4 = await nucseg(['annotations', 'convert', join(dir, 'c.geojson'), '--like', IMAGE, '--to', 'labels', '--out', join(dir, 'd.tif'), '--quiet']);
    expect([r4.code, r4.stdout]).toEqual([0, '']);
    expect(sameLabels(await readLabels(join(dir, 'd.tif')), labels)).toBe(true);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('reports skipped objects, overlaps and empty objects; --object-type filters', async () => {
    const dir = tempDir('nucseg-conv-');
    const sq = (x: number, y: number, s: number) => [[[x, y], [x + s, y], [x + s, y + s], [x, y + s], [x, y]]];
    const f = (coords: unknown, objectType: string, name?: string, type = 'Polygon') => ({ type: 'Feature', geometry: { type, coordinates: coords }, properties: { objectType, name } });
    writeFileSync(join(dir, 'o.geojson'), JSON.stringify([f(sq(0, 0, 60), 'annotation', 'region'), f(sq(10, 10, 5), 'detection'), f(sq(12, 12, 5), 'detection'), f([3, 3], 'annotation', 'pt', 'Point'), f(sq(5000, 0, 5), 'detection', 'far')]));
    const r = await nucseg(['annotations', 'convert', join(dir, 'o.geojson'), '--like', IMAGE, '--to', 'labels', '--out', join(dir, 'o.tif')]);
    expect(r.stdout).toContain('4 objects; ids renumbered; 1 skipped (first: pt: Point has no area); 50 overlapping pixels in 3 pairs, later object wins; 1 with no pixel centre inside (first: far)');
    const d = await nucseg(['annotations', 'convert', join(dir, 'o.geojson'), '--like', IMAGE, '--to', 'labels', '--out', join(dir, 'd.tif'), '--object-type', 'detection']);
    expect(d.stdout).toContain('3 objects; ids renumbered; 2 skipped (first: pt: Point has no area); 9 overlapping pixels in 1 pairs');
  });

  it('bad input: one line "nucseg: <file>: <reason>", exit 1, no output file', async () => {
    const dir = tempDir('nucseg-conv-');
    writeFileSync(join(dir, 'bad.geojson'), JSON.stringify([{ type: 'Feature', geometry: { type: 'Polygon', coordinates: [[[0, 0], [1, 1]]] }, properties: { name: 'nucleus 3' } }]));
    copyFileSync(FIELD, join(dir, 'f.tif'));
    const cases: [string[], string][] = [
      [[join(dir, 'bad.geojson'), '--like', IMAGE, '--to', 'labels', '--out', join(dir, 'x.tif')], `nucseg: ${join(dir, 'bad.geojson')}: nucleus 3: Polygon ring 1 has 2 positions (a ring needs 3 distinct corners)\n`],
      [[join(dir, 'bad.geojson'), '--to', 'labels', '--out', join(dir, 'x.tif')], `nucseg: ${join(dir, 'bad.geojson')}: needs the field it annotates (--like <field.tif>) for its pixel grid\n`],
      [[join(dir, 'f.tif'), '--to', 'labels', '--out', join(dir, 'x.png')], `nucseg: ${join(dir, 'x.png')}: --out for --to labels must end in .tif or .tiff\n`],
      [[join(dir, 'f.tif'), '--to', 'csv', '--out', join(dir, 'x.csv')], "nucseg: --to must be labels, geojson or roi-zip, not 'csv'\n"],
      [[join(dir, 'f.tif'), '--like', join(DSB, 'train', 'images', readdirSync(join(DSB, 'train', 'images')).find((n) => !FIELD.endsWith(n))!), '--to', 'geojson', '--out', join(dir, 'x.geojson')], `nucseg: ${join(dir, 'f.tif')}: is `],
      [[join(dir, 'missing.zip'), '--like', IMAGE, '--to', 'labels', '--out', join(dir, 'x.tif')], `nucseg: ${join(dir, 'missing.zip')}: no such file\n`],
    ];
    for (const [args, line] of cases) {
      const r = await nucseg(['annotations', 'convert', ...args]);
      expect(r.code, args.join(' ')).toBe(1);
      expect(r.stderr.startsWith(line), `${r.stderr} vs ${line}`).toBe(true);
      expect(r.stderr.split('\n').length).toBe(2);
    }
    expect(readdirSync(dir).sort()).toEqual(['bad.geojson', 'f.tif']);
    expect(existsSync(join(dir, 'x.tif'))).toBe(false);
  });

  it('a folder: each file on its field paired by name, outputs mirrored; a bad file is reported and the rest go on', async () => {
    const dir = tempDir('nucseg-conv-');
    const [inDir, fields, outDir] = ['in', 'fields', 'out'].map((d) => join(dir, d));
    mkdirSync(join(inDir, 'sub'), { recursive: true });
    mkdirSync(fields);
    const [fa, fb] = [HOLE_FIELDS[0], HOLE_FIELDS[2]];
    const la = await readLabels(fa), lb = await readLabels(fb);
    writeFileSync(join(inDir, 'A.tif.geojson'), JSON.stringify(labelsToGeoJson(la)));
    writeFileSync(join(inDir, 'sub', 'B.zip'), labelsToRoiZip(lb));
    writeFileSync(join(inDir, 'C.geojson'), '{"type": "FeatureCollection", "features": [{"type": "Feature"}');
    copyFileSync(fa.replace(join('train', 'labels'), join('train', 'images')), join(fields, 'A.tif'));
    copyFileSync(fb.replace(join('train', 'labels'), join('train', 'images')), join(fields, 'B.tif'));
    copyFileSync(fb.replace(join('train', 'labels'), join('train', 'images')), join(fields, 'C.tif'));
    const r = await nucseg(['annotations', 'convert', inDir, '--like', fields, '--to', 'labels', '--out', outDir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^nucseg: .*C\.geojson: not valid JSON .*\n$/);
    expect(r.stdout.trim().split('\n').length).toBe(2);
    expect(sameLabels(await readLabels(join(outDir, 'A.tif')), la)).toBe(true);
    expect(sameLabels(await readLabels(join(outDir, 'sub', 'B.tif')), lb)).toBe(true);
    writeFileSync(join(inDir, 'D.geojson'), '[]');
    const missing = await nucseg(['annotations', 'convert', inDir, '--like', fields, '--to', 'geojson', '--out', join(dir, 'out2')]);
    expect([missing.code, missing.stderr]).toEqual([1, `nucseg: ${join(inDir, 'D.geojson')}: no field named D in ${fields} (--like) for it\n`]);
    expect(existsSync(join(dir, 'out2'))).toBe(false);
  });
});
