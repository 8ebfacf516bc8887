// Pairing annotation files with their fields by name (lib/annotations/folder.ts), as folder
// conversion and augment's labels/ folders use it.
import { describe, expect, it } from 'vitest';
import { annotationStem, pairAnnotationFiles } from '../../lib/annotations/folder.js';

describe('annotation file names', () => {
  it('annotationStem drops the annotation extension, then an image extension and .labels', () => {
    expect(['a/A01.geojson', 'A01.tif.geojson', 'A01.TIFF.json', 'A01.zip', 'A01.roi', 'r/A01.labels.tif', 'A01.png', 'A01.labels.png.geojson'].map(annotationStem)).toEqual(Array(8).fill('A01'));
    expect(annotationStem('plate_B07_T0001F002.ome.tif.geojson')).toBe('plate_B07_T0001F002.ome');
  });

  it('pairAnnotationFiles pairs by stem, lists the unpaired, refuses two files of one name', () => {
    const r = pairAnnotationFiles(['l/B.zip', 'l/A.tif.geojson', 'l/C.geojson'], ['i/A.tif', 'i/B.png', 'i/D.tif']);
    expect(r.pairs).toEqual([{ key: 'A', annotation: 'l/A.tif.geojson', image: 'i/A.tif' }, { key: 'B', annotation: 'l/B.zip', image: 'i/B.png' }]);
    expect([r.unpairedAnnotations, r.unpairedImages]).toEqual([['l/C.geojson'], ['i/D.tif']]);
    expect(() => pairAnnotationFiles(['l/A.zip', 'm/A.geojson'], [])).toThrow('two files named A: l/A.zip and m/A.geojson');
  });
});
