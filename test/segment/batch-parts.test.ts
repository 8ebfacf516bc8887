// Direct tests of the pieces segmentFiles is made of (lib/segment/inputs.ts, paths.ts,
// resume.ts, scheduler.ts); test/segment/batch.test.ts runs them together through the CLI.
import { mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findImages, isOwnOutput, OUTPUT_SUFFIXES } from '../../lib/image/discover.js';
import { writeLabels } from '../../lib/image/write.js';
import { channelFilter, discoverInputs, selectInputs } from '../../lib/segment/inputs.js';
import type { ImageResult, InputFile } from '../../lib/segment/job.js';
import { outputPaths } from '../../lib/segment/paths.js';
import { completedResult, settingsKey } from '../../lib/segment/resume.js';
import { scheduleImages } from '../../lib/segment/scheduler.js';
import { tempDir } from '../helpers/tools.js';

/** A folder of empty files with these names (discovery goes by name only). */
function folder(names: string[]): string {
  const dir = tempDir('nucseg-parts-');
  for (const n of names) {
    mkdirSync(join(dir, n, '..'), { recursive: true });
    writeFileSync(join(dir, n), '');
  }
  return dir;
}

describe('input discovery', () => {
  it('segment inputs skip labels, overlays and error panels; score inputs skip overlays and error panels (one list of own outputs)', async () => {
    const dir = folder(['A01.tif', 'A01.labels.tif', 'A01.overlay.png', 'A01.errors.png', 'sub/B02.PNG', 'sub/B02.Labels.TIF', 'out/C03.tif']);
    const seg = await discoverInputs([dir], join(dir, 'out'));
    expect(seg.map((f) => f.name)).toEqual(['A01', 'sub/B02']); // score's error panels are not fields either
    const score = (await findImages(dir)).map((f) => f.slice(dir.length + 1));
    expect(score).toEqual(['A01.labels.tif', 'A01.tif', 'out/C03.tif', 'sub/B02.Labels.TIF', 'sub/B02.PNG']);
    expect(isOwnOutput('x/Y.Overlay.PNG', ['overlay'])).toBe(true);
    expect(isOwnOutput('x/Y.overlay.png', ['labels', 'errors'])).toBe(false);
    // outputPaths writes exactly the suffixes discovery skips
    const p = outputPaths('o', 'a/b', { overlay: true });
    expect(p.labels.endsWith(OUTPUT_SUFFIXES.labels) && p.overlay!.endsWith(OUTPUT_SUFFIXES.overlay)).toBe(true);
  });

  it('two inputs with one output name are an error naming both', async () => {
    const dir = folder(['a/X.tif', 'b/X.tif']);
    await expect(discoverInputs([join(dir, 'a'), join(dir, 'b')])).rejects.toThrow(/same outputs "X".*a[/\\]X\.tif.*b[/\\]X\.tif/);
  });

  it('channelFilter: the parsed channel, every file without a channel, a bad pattern at once', () => {
    const f = (file: string): InputFile => ({ file, name: file });
    const yoko = (c: string) => f(`P1_B02_T0001F001L01A01Z01C${c}.tif`);
    expect([yoko('01'), yoko('02')].filter(channelFilter({ channel: '02' })).map((x) => x.file)).toEqual([yoko('02').file]);
    expect(channelFilter({})(f('anything.tif'))).toBe(true);
    expect(channelFilter({ channel: '2', namePattern: '_w(?<channel>\\d)' })(f('A01_s1_w2.tif'))).toBe(true);
    expect(() => channelFilter({ namePattern: '(' })).toThrow(/not a valid regular expression/);
  });

  it('selectInputs says why nothing was found', async () => {
    const dir = folder(['out/A01.tif', 'P1_B02_T0001F001L01A01Z01C01.tif']);
    await expect(selectInputs([join(dir, 'out')], { out: join(dir, 'out') })).rejects.toThrow(/the input is the output folder/);
    await expect(selectInputs([dir], { out: join(dir, 'out'), channel: '02' })).rejects.toThrow(/no images found in .* for channel 02/);
    expect((await selectInputs([dir], { out: join(dir, 'out'), channel: '01' })).map((f) => f.name)).toEqual(['P1_B02_T0001F001L01A01Z01C01']);
  });
});

describe('outputPaths', () => {
  it('only the outputs the options ask for; the marker mirrors the name below .nucseg/', () => {
    expect(outputPaths('o', 'a/b', { csv: false })).toEqual({ labels: join('o', 'a', 'b.labels.tif'), csv: undefined, overlay: undefined, geojson: undefined, marker: join('o', '.nucseg', 'a', 'b.json') });
    const p = outputPaths('o', 'a__b', { geojson: true });
    expect([p.csv, p.geojson, p.marker]).toEqual([join('o', 'a__b.csv'), join('o', 'a__b.geojson'), join('o', '.nucseg', 'a__b.json')]);
  });
});

describe('scheduling and resume', () => {
  /** Two 64 x 64 uint16 fields with two bright squares each (written with the label writer: any uint16 TIFF is an image). */
  async function fields(): Promise<{ dir: string; files: InputFile[] }> {
    const dir = tempDir('nucseg-sched-');
    const files: InputFile[] = [];
    for (const name of ['f1', 'f2']) {
      const data = new Uint16Array(64 * 64).fill(100);
      for (const [x0, y0] of [[8, 8], [36, 30]]) for (let y = y0; y < y0 + 16; y++) for (let x = x0; x < x0 + 16; x++) data[y * 64 + x] = 3000;
      await writeLabels(join(dir, `${name}.tif`), { data, width: 64, height: 64 });
      files.push({ file: join(dir, `${name}.tif`), name });
    }
    return { dir, files };
  }
  const run = async (files: InputFile[], out: string, extra: { force?: boolean; signal?: AbortSignal } = {}) => {
    const rs: ImageResult[] = [];
    for await (const r of scheduleImages(files, { out, opts: { model: 'classic', diameter: 16 }, jobs: 1, threads: 1, force: extra.force, signal: extra.signal })) rs.push(r);
    return rs.sort((a, b) => (a.name < b.name ? -1 : 1));
  };

  it('runs every image, skips completed ones, redoes them with force or when the input or the settings change', async () => {
    const { dir, files } = await fields();
    const out = join(dir, 'out');
    const first = await run(files, out);
    expect(first.map((r) => [r.name, r.status, r.count])).toEqual([['f1', 'done', 2], ['f2', 'done', 2]]);
    expect((await run(files, out)).map((r) => r.status)).toEqual(['skipped', 'skipped']);
    expect((await run(files, out, { force: true })).map((r) => r.status)).toEqual(['done', 'done']);
    // a touched input and other settings are not complete
    utimesSync(files[0].file, new Date(), new Date(Date.now() - 60_000));
    expect(await completedResult(files[0], out, { model: 'classic', diameter: 16 })).toBeUndefined();
    expect(await completedResult(files[1], out, { model: 'classic', diameter: 16 })).toMatchObject({ status: 'skipped', count: 2 });
    expect(await completedResult(files[1], out, { model: 'classic', diameter: 20 })).toBeUndefined();
    expect(settingsKey({ model: 'classic', diameter: 16 })).not.toBe(settingsKey({ model: 'classic', diameter: 20 }));
  });

  it('an aborted signal schedules nothing', async () => {
    // (jobs > 1 runs lib/segment/worker.js, i.e. dist/: batch.test.ts checks --jobs 2 through the CLI)
    const { dir, files } = await fields();
    const abort = new AbortController();
    abort.abort();
    expect(await run(files, join(dir, 'a'), { signal: abort.signal })).toEqual([]);
  });
});
