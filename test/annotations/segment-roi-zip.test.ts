import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { annotationsToLabels } from '../../lib/annotations/convert.js';
import { readLabels } from '../../lib/image/read.js';
import { BBBC039, REPO } from '../helpers/data.js';
import { tempDir } from '../helpers/tools.js';

// Issue 17: preliminary labels go to Fiji as a ROI Manager zip (`segment --roi-zip`).
describe('nucseg segment --roi-zip', () => {
  it('writes <name>.rois.zip whose ROIs rasterize back to the labels exactly; resumes with it', async () => {
    const field = readdirSync(join(BBBC039, 'images')).sort()[2];
    const out = tempDir();
    const run = () => spawnSync(process.execPath, [join(REPO, 'bin', 'nucseg.js'), 'segment', join(BBBC039, 'images', field), '--out', out, '--model', 'classic', '--roi-zip'], { encoding: 'utf8' });
    const a = run();
    expect(a.status, a.stderr).toBe(0);
    const stem = field.replace(/\.tif$/, '');
    const labels = await readLabels(join(out, `${stem}.labels.tif`));
    const back = await annotationsToLabels(join(out, `${stem}.rois.zip`), { width: labels.width, height: labels.height });
    expect(back.objects).toBeGreaterThan(50);
    expect(Array.from(back.labels.data)).toEqual(Array.from(labels.data));
    expect(run().stdout).toContain('skipped 1 already done');
  }, 60_000);
});
