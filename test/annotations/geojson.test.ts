// GeoJSON in and out (issue 17): QuPath-style files read into objects, and labels -> GeoJSON
// -> labels identical on real DSB2018 fields, with nucseg's own writer (segment --geojson's
// labelsToGeoJson) and with labelsToFeatureCollection.
import { describe, expect, it } from 'vitest';
import { labelsToFeatureCollection, parseGeoJson } from '../../lib/annotations/geojson.js';
import { rasterizeObjects } from '../../lib/annotations/rasterize.js';
import { readLabels } from '../../lib/image/read.js';
import type { LabelImage } from '../../lib/image/types.js';
import { labelsToGeoJson } from '../../lib/segment/outputs.js';
import { dsbLabelFiles } from '../helpers/data.js';
import { HOLE_FIELDS, SPLIT_FIELD, sameLabels } from './fields.js';

function roundTrip(labels: LabelImage, geo: object): LabelImage {
  const set = parseGeoJson(JSON.stringify(geo), 'x.geojson');
  const r = rasterizeObjects(set.objects, labels.width, labels.height);
  expect(r.overlapPixels).toBe(0);
  expect(r.idSource).toBe('kept');
  return r.labels;
}

function countHoles(geo: { features: { geometry: { type: string; coordinates: unknown[][] } }[] }): number {
  return geo.features.reduce((n, f) => n + (f.geometry.type === 'Polygon' ? f.geometry.coordinates.length - 1 : 0), 0);
}

describe('labels -> GeoJSON -> labels on real fields', () => {
  const files = [...dsbLabelFiles(6), ...HOLE_FIELDS];
  it.each(files.map((f) => [f.slice(-20), f]))('%s: segment --geojson writer (labelsToGeoJson) round-trips exactly', async (_n, f) => {
    const labels = await readLabels(f);
    const back = roundTrip(labels, labelsToGeoJson(labels));
    expect(sameLabels(back, labels)).toBe(true);
  });

  it('the hole fields really have holes, and both writers write the same GeoJSON (byte for byte) for every field with no split nucleus', async () => {
    for (const f of files) {
      const labels = await readLabels(f);
      const a = labelsToGeoJson(labels) as Parameters<typeof countHoles>[0];
      const b = labelsToFeatureCollection(labels);
      if (HOLE_FIELDS.includes(f)) expect(countHoles(a)).toBeGreaterThan(0);
      expect(JSON.stringify(b)).toBe(JSON.stringify(a));
    }
  });

  it('a nucleus in two pieces: a MultiPolygon that round-trips, from segment --geojson too (its writer kept one piece before)', async () => {
    const labels = await readLabels(SPLIT_FIELD);
    const geo = labelsToFeatureCollection(labels);
    const multi = geo.features.filter((f) => (f as { geometry: { type: string } }).geometry.type === 'MultiPolygon');
    expect(multi.length).toBe(1);
    const back = roundTrip(labels, geo);
    expect(sameLabels(back, labels)).toBe(true);
    expect(sameLabels(roundTrip(labels, labelsToGeoJson(labels)), labels)).toBe(true);
  });
});

describe('parseGeoJson: QuPath files', () => {
  const qupath = [
    { type: 'Feature', id: 'a1', geometry: { type: 'Polygon', coordinates: [[[0, 0], [6, 0], [6, 6], [0, 6], [0, 0]], [[2, 2], [2, 4], [4, 4], [4, 2], [2, 2]]] }, properties: { objectType: 'annotation', classification: { name: 'Tumor', color: [200, 0, 0] } } },
    { type: 'Feature', geometry: { type: 'MultiPolygon', coordinates: [[[[7, 0], [9, 0], [9, 2], [7, 2], [7, 0]]], [[[7, 4], [9, 4], [9, 6], [7, 6]]]] }, properties: { objectType: 'detection', name: 'two parts' } },
    { type: 'Feature', geometry: { type: 'Point', coordinates: [3, 3] }, properties: { objectType: 'annotation', name: 'a point' } },
    { type: 'Feature', geometry: { type: 'Polygon', coordinates: [[[0, 7], [3, 7], [3, 9], [0, 9]]] }, properties: { objectType: 'cell', nucleusGeometry: { type: 'Polygon', coordinates: [[[1, 7], [2, 7], [2, 8], [1, 8], [1, 7]]] } } },
  ];

  it('reads a bare array and a FeatureCollection alike, keeps objectType/classification, skips points', () => {
    const a = parseGeoJson(JSON.stringify(qupath), 'q.geojson');
    const b = parseGeoJson({ type: 'FeatureCollection', features: qupath }, 'q.geojson');
    expect(b).toEqual(a);
    expect(a.objects.map((o) => [o.name, o.objectType, o.classification])).toEqual([
      ['feature 1 (id a1)', 'annotation', 'Tumor'],
      ['two parts', 'detection', undefined],
      ['feature 4', 'cell', undefined],
    ]);
    expect(a.skipped).toEqual([{ name: 'a point', reason: 'Point has no area' }]);
  });

  it('rasterizes holes (even-odd), MultiPolygon parts (union) and a cell\'s nucleus', () => {
    const r = rasterizeObjects(parseGeoJson(qupath, 'q.geojson').objects, 10, 10);
    const rows = Array.from({ length: 10 }, (_, y) => Array.from(r.labels.data.subarray(y * 10, y * 10 + 10)).join(''));
    expect(rows).toEqual(['1111110220', '1111110220', '1100110000', '1100110000', '1111110220', '1111110220', '0000000000', '0300000000', '0000000000', '0000000000']);
    expect(r.idSource).toBe('renumbered');
    const cells = rasterizeObjects(parseGeoJson(qupath, 'q.geojson', { cellPart: 'cell' }).objects, 10, 10);
    expect(cells.labels.data.filter((v) => v === 3).length).toBe(6);
  });

  it('one error naming the file and the first malformed object, with the count of the others', () => {
    const bad = [qupath[0], { type: 'Feature', geometry: { type: 'Polygon', coordinates: [[[0, 0], [1, 'x'], [1, 1]]] }, properties: { name: 'nucleus 7' } }, { type: 'Feature', geometry: { type: 'Polygon', coordinates: [[[0, 0], [1, 1]]] } }, { type: 'Feature', geometry: { type: 'Circle' } }];
    expect(() => parseGeoJson(JSON.stringify(bad), 'bad.geojson')).toThrow('bad.geojson: nucleus 7: Polygon ring 1, position 2: not [x, y] finite numbers (and 2 more malformed objects)');
    expect(() => parseGeoJson('{"type": "FeatureCollection", "features": [', 'cut.geojson')).toThrow(/^cut\.geojson: not valid JSON/);
    expect(() => parseGeoJson('{"type": "Polygon"}', 'g.geojson')).toThrow('g.geojson: not GeoJSON annotations');
    expect(() => parseGeoJson([{ type: 'Feature', geometry: { type: 'Circle' } }], 'c.geojson')).toThrow('c.geojson: feature 1: unknown geometry type "Circle"');
  });
});
