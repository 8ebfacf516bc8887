// nucseg score --report (lib/score/html.ts): the page opens in headless Chromium without
// errors, its curve and tables hold the F1 of `score --json` for the same labels, and its
// error images load.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO } from '../helpers/data.js';
import { CHROMIUM, visitPage } from '../helpers/browser.js';
import { tempDir } from '../helpers/tools.js';

const BIN = join(REPO, 'bin', 'nucseg.js');

describe('nucseg score --report', () => {
  it.skipIf(!CHROMIUM)('F1 curve, tables and error images of the shipped example predictions', async () => {
    const dir = tempDir('nucseg-score-report-');
    const page = join(dir, 'score.html'), json = join(dir, 's.json');
    const r = spawnSync(process.execPath, [BIN, 'score', '--gt', 'examples/gt', '--pred', 'examples/pred', '--report', page, '--json', json, '--quiet'], { cwd: REPO, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const s = JSON.parse(readFileSync(json, 'utf8'));
    const v = await visitPage(page, async () => {
      // the error images are lazy (loaded when scrolled near): load them as a reader scrolling down would
      const imgs = [...document.querySelectorAll('#errors img')] as HTMLImageElement[];
      await Promise.all(imgs.map((im) => ((im.loading = 'eager'), im.decode().catch(() => undefined))));
      const views = (window as unknown as { nucseg: { views: Record<string, { data(n: string): { series: string; t: number; f1: number }[] }> } }).nucseg.views;
      return {
        pooled: views['f1-curve'].data('f1').filter((p) => p.series === 'pooled').map((p) => p.f1),
        tableF1: [...document.querySelectorAll('#thresholds tbody tr')].map((tr) => Number(tr.children[4].getAttribute('data-v'))),
        images: [...document.querySelectorAll('#images tbody tr')].map((tr) => tr.children[0].textContent),
        errorImages: imgs.map((im) => im.naturalWidth),
      };
    });
    expect(v.errors).toEqual([]);
    expect(v.result.pooled).toEqual(s.pooled.f1);
    expect(v.result.tableF1).toEqual(s.pooled.f1);
    expect(v.result.images.sort()).toEqual(s.images.map((im: { name: string }) => im.name).sort());
    expect(v.result.errorImages).toHaveLength(3);
    for (const w of v.result.errorImages) expect(w).toBeGreaterThan(100);
  }, 60_000);
});
