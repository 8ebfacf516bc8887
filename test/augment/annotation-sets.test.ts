import { copyFileSync, mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { labelsToFeatureCollection } from '../../lib/annotations/geojson.js';
import { labelsToRoiZip } from '../../lib/annotations/roi-zip.js';
import { loadSources } from '../../lib/augment/sources.js';
import { readLabels } from '../../lib/image/read.js';
import { BBBC039 } from '../helpers/data.js';
import { tempDir } from '../helpers/tools.js';

// Issue 17: corrected annotations go straight into training — a set whose labels/ holds
// QuPath GeoJSON or ImageJ ROI zips loads the same labels as the label images they came from.
describe('augment sets with GeoJSON or ROI-zip labels', () => {
  it('load exactly the labels of the label images they were written from', async () => {
    const names = readdirSync(join(BBBC039, 'images')).sort().slice(0, 3);
    const root = tempDir();
    for (const kind of ['tif', 'geojson', 'zip']) {
      mkdirSync(join(root, kind, 'images'), { recursive: true });
      mkdirSync(join(root, kind, 'labels'));
      for (const n of names) {
        copyFileSync(join(BBBC039, 'images', n), join(root, kind, 'images', n));
        const src = join(BBBC039, 'labels', n);
        if (kind === 'tif') symlinkSync(src, join(root, kind, 'labels', n)); // sets are often links to the data
        else {
          const lb = await readLabels(src);
          if (kind === 'geojson') writeFileSync(join(root, kind, 'labels', `${n}.geojson`), JSON.stringify(labelsToFeatureCollection(lb))); // QuPath's naming
          else writeFileSync(join(root, kind, 'labels', n.replace(/\.tif$/, '.zip')), labelsToRoiZip(lb));
        }
      }
    }
    const load = (kind: string) => loadSources([{ name: kind, dir: join(root, kind) }], [1], 0.2, 0);
    const ref = await load('tif');
    expect(ref.sources).toHaveLength(3);
    for (const kind of ['geojson', 'zip']) {
      const got = await load(kind);
      expect(got.sources.map((s) => [s.labels.width, s.labels.height])).toEqual(ref.sources.map((s) => [s.labels.width, s.labels.height]));
      got.sources.forEach((s, i) => {
        const a = s.labels.data, b = ref.sources[i].labels.data;
        let diff = 0;
        for (let k = 0; k < a.length; k++) if ((a[k] === 0) !== (b[k] === 0) || (a[k] !== 0 && a[k] !== b[k])) diff++;
        expect(diff, `${kind} field ${i}`).toBe(0);
      });
      expect(got.files.map((f) => f.split)).toEqual(ref.files.map((f) => f.split));
    }
  });
});
