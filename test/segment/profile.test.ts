import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { processImage } from '../../lib/segment/process-image.js';
import { Profile, STAGES } from '../../lib/util/profile.js';
import { BBBC039, REPO } from '../helpers/data.js';
import { tempDir } from '../helpers/tools.js';

// Issue 14: a time budget per field (`nucseg segment --profile`, the inference bench).
const FIELD = readdirSync(join(BBBC039, 'images')).sort()[1];

describe('per-field time budget', () => {
  it('processImage with profile: every stage of the classic pipeline timed, stages add up to the wall time', async () => {
    const r = await processImage({ file: join(BBBC039, 'images', FIELD), name: 'f' }, tempDir(), { model: 'classic', overlay: true, geojson: true, profile: true });
    expect(r.status, r.error).toBe('done');
    const p = r.profile!;
    for (const s of ['decode', 'normalize', 'diameter', 'instances', 'measurements', 'overlay/geojson', 'writes', 'other']) expect(p[s], s).toBeGreaterThan(0);
    for (const s of Object.keys(p)) expect(STAGES as readonly string[]).toContain(s);
    const sum = Object.values(p).reduce((a, b) => a + b, 0);
    expect(Math.abs(sum - r.seconds! * 1000)).toBeLessThan(0.05 * r.seconds! * 1000 + 5);
    // the classic model's work is in 'instances', not lost in 'other'
    expect(p.instances).toBeGreaterThan(p.other);
  });

  it('the FPN2-WS model: tiles, model and stitch timed; the model dominates', async () => {
    const r = await processImage({ file: join(BBBC039, 'images', FIELD), name: 'f' }, tempDir(), { profile: true, csv: false });
    expect(r.status, r.error).toBe('done');
    const p = r.profile!;
    for (const s of ['tiles', 'model', 'stitch', 'instances']) expect(p[s], s).toBeGreaterThan(0);
    expect(p.model).toBeGreaterThan(0.5 * Object.values(p).reduce((a, b) => a + b, 0));
  }, 60_000);

  it('nucseg segment --profile prints the table on stderr and leaves the resume key alone', () => {
    const out = tempDir();
    const run = (extra: string[]) => spawnSync(process.execPath, [join(REPO, 'bin', 'nucseg.js'), 'segment', join(BBBC039, 'images', FIELD), '--out', out, '--model', 'classic', ...extra], { encoding: 'utf8' });
    const a = run(['--profile']);
    expect(a.status, a.stderr).toBe(0);
    expect(a.stderr).toMatch(/\| instances \| [\d.]+ \| [\d.]+ % \|/);
    expect(a.stderr).toMatch(/\| total \| [\d.]+ \| 100 % \|/);
    const b = run([]);
    expect(b.stdout).toContain('segmented 0 image(s), skipped 1 already done');
  }, 60_000);

  it('Profile.table: per-field ms in pipeline order, shares of the total', () => {
    const p = Profile.from({ writes: 10, model: 60, decode: 30 });
    p.add('model', 100);
    const rows = p.table(2).split('\n');
    expect(rows.slice(2)).toEqual(['| decode | 15.0 | 15.0 % |', '| model | 80.0 | 80.0 % |', '| writes | 5.0 | 5.0 % |', '| total | 100.0 | 100 % |']);
  });
});
