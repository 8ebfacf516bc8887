import type { LabelImage } from '../image/types.js';
import { NucsegError } from '../util/errors.js';
import { labelOutlines } from './trace.js';
import type { AnnotationObject, AnnotationSet, Ring } from './types.js';

/** Options for reading GeoJSON. */
export interface GeoJsonReadOptions {
  /** For QuPath cells (objectType 'cell' with a `nucleusGeometry`): which outline to use. Default 'nucleus'. */
  cellPart?: 'nucleus' | 'cell';
}

type Json = unknown;
const isObj = (v: Json): v is Record<string, Json> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The label id a name asks for: `nucleus 12` (as nucseg names what it writes; also
 * `nucleus-12`, `Nucleus_012`) asks for 12; any other name for none.
 *
 * @example
 * ```ts
 * import { idFromName } from 'nucseg';
 * idFromName('nucleus 12'); // 12
 * idFromName('0001-0034-0052'); // undefined (ImageJ's default ROI name)
 * ```
 */
export function idFromName(name: string | undefined): number | undefined {
  const m = name === undefined ? null : /^nucleus[ _-]?0*(\d{1,10})$/i.exec(name.trim());
  return m ? Number(m[1]) : undefined;
}

/** A ring from GeoJSON positions, or the reason it is not one. */
function parseRing(v: Json, where: string): Ring | string {
  if (!Array.isArray(v)) return `${where} is not an array of positions`;
  const ring: Ring = [];
  for (let i = 0; i < v.length; i++) {
    const p = v[i];
    if (!Array.isArray(p) || p.length < 2 || typeof p[0] !== 'number' || typeof p[1] !== 'number' || !Number.isFinite(p[0]) || !Number.isFinite(p[1])) {
      return `${where}, position ${i + 1}: not [x, y] finite numbers`;
    }
    ring.push([p[0], p[1]]);
  }
  const closed = ring.length > 1 && ring[0][0] === ring[ring.length - 1][0] && ring[0][1] === ring[ring.length - 1][1];
  if (ring.length - (closed ? 1 : 0) < 3) return `${where} has ${ring.length} positions (a ring needs 3 distinct corners)`;
  return ring;
}

/** A GeoJSON Polygon's coordinates (outer ring + holes) as one even-odd group. */
function parsePolygon(v: Json, where: string): Ring[] | string {
  if (!Array.isArray(v) || v.length === 0) return `${where} has no rings`;
  const rings: Ring[] = [];
  for (let r = 0; r < v.length; r++) {
    const ring = parseRing(v[r], `${where} ring ${r + 1}`);
    if (typeof ring === 'string') return ring;
    rings.push(ring);
  }
  return rings;
}

/** Area groups of a geometry, `null` when it has no area (points, lines), or the reason it is malformed. */
function parseGeometry(g: Json, depth = 0): Ring[][] | null | string {
  if (g === null || g === undefined) return null;
  if (!isObj(g)) return 'geometry is not an object';
  switch (g.type) {
    case 'Polygon': {
      const p = parsePolygon(g.coordinates, 'Polygon');
      return typeof p === 'string' ? p : [p];
    }
    case 'MultiPolygon': {
      if (!Array.isArray(g.coordinates)) return 'MultiPolygon coordinates are not an array';
      const groups: Ring[][] = [];
      for (let k = 0; k < g.coordinates.length; k++) {
        const p = parsePolygon(g.coordinates[k], `MultiPolygon polygon ${k + 1}`);
        if (typeof p === 'string') return p;
        groups.push(p);
      }
      return groups.length ? groups : null;
    }
    case 'GeometryCollection': {
      if (!Array.isArray(g.geometries) || depth > 8) return 'GeometryCollection without a geometries array';
      const groups: Ring[][] = [];
      for (const part of g.geometries) {
        const p = parseGeometry(part, depth + 1);
        if (typeof p === 'string') return p;
        if (p) groups.push(...p);
      }
      return groups.length ? groups : null;
    }
    case 'Point': case 'MultiPoint': case 'LineString': case 'MultiLineString':
      return null;
    default:
      return `unknown geometry type ${JSON.stringify(g.type)?.slice(0, 40)}`;
  }
}

/** QuPath writes classification as { name, color } (older files: a string). */
function classificationName(c: Json): string | undefined {
  if (typeof c === 'string') return c;
  if (isObj(c) && typeof c.name === 'string') return c.name;
  if (isObj(c) && Array.isArray(c.names)) return c.names.filter((n) => typeof n === 'string').join(': ') || undefined;
  return undefined;
}

/**
 * Reads GeoJSON annotations (QuPath's export: a FeatureCollection, a bare array of
 * Features, or one Feature) into objects: Polygon (outer ring + holes), MultiPolygon and
 * GeometryCollection have an area; Point and LineString objects, and features without a
 * geometry, are listed in `skipped`. Kept per object: the name (`properties.name`, else
 * `feature N`), QuPath's objectType and classification name, all properties, and the id it
 * asks for (`properties.label`, as nucseg writes, or a name `nucleus N`). A malformed object
 * (bad coordinates, a ring of fewer than 3 corners, an unknown geometry type) throws one
 * NucsegError naming the file and the first such object, with how many more there are.
 *
 * @example
 * ```ts
 * import { readFile } from 'node:fs/promises';
 * import { parseGeoJson } from 'nucseg';
 * const set = parseGeoJson(await readFile('cells.geojson', 'utf8'), 'cells.geojson');
 * set.objects[0].classification; // 'Nucleus' (QuPath's class), set.skipped: points and lines
 * ```
 */
export function parseGeoJson(text: string | Json, file: string, opts: GeoJsonReadOptions = {}): AnnotationSet {
  let doc: Json = text;
  if (typeof text === 'string') {
    try {
      doc = JSON.parse(text);
    } catch (e) {
      throw new NucsegError(`not valid JSON (${(e as Error).message.slice(0, 80)})`, { file });
    }
  }
  let features: Json[];
  if (Array.isArray(doc)) features = doc;
  else if (isObj(doc) && doc.type === 'FeatureCollection' && Array.isArray(doc.features)) features = doc.features;
  else if (isObj(doc) && doc.type === 'Feature') features = [doc];
  else throw new NucsegError('not GeoJSON annotations (expected a FeatureCollection, an array of Features or a Feature)', { file });
  const set: AnnotationSet = { objects: [], skipped: [] };
  const problems: string[] = [];
  features.forEach((f, i) => {
    const props = isObj(f) && isObj(f.properties) ? f.properties : {};
    const fid = isObj(f) && (typeof f.id === 'string' || typeof f.id === 'number') ? ` (id ${String(f.id).slice(0, 40)})` : '';
    const name = typeof props.name === 'string' && props.name ? props.name : `feature ${i + 1}${fid}`;
    if (!isObj(f) || f.type !== 'Feature') {
      problems.push(`feature ${i + 1}: not a GeoJSON Feature`);
      return;
    }
    const objectType = typeof props.objectType === 'string' ? props.objectType : undefined;
    const useNucleus = objectType === 'cell' && (opts.cellPart ?? 'nucleus') === 'nucleus' && props.nucleusGeometry;
    const groups = parseGeometry(useNucleus ? props.nucleusGeometry : f.geometry);
    if (typeof groups === 'string') {
      problems.push(`${name}: ${groups}`);
      return;
    }
    if (!groups) {
      const t = isObj(f.geometry) ? String(f.geometry.type).slice(0, 40) : 'no geometry';
      set.skipped.push({ name, reason: `${t} has no area` });
      return;
    }
    const label = props.label;
    const requestedId = typeof label === 'number' && Number.isInteger(label) && label > 0 ? label : idFromName(typeof props.name === 'string' ? props.name : undefined);
    set.objects.push({ name, requestedId, objectType, classification: classificationName(props.classification), properties: props, geometry: { kind: 'rings', groups } });
  });
  if (problems.length) throw new NucsegError(`${problems[0]}${problems.length > 1 ? ` (and ${problems.length - 1} more malformed objects)` : ''}`, { file });
  return set;
}

/**
 * GeoJSON FeatureCollection of a label image in QuPath's import format, one Feature per
 * label: a Polygon (outer ring + holes) or, for a label in several pieces, a MultiPolygon,
 * traced along pixel edges (labelOutlines); properties as nucseg segment --geojson writes
 * them (objectType 'detection', name `nucleus N`, label N, classification 'Nucleus',
 * measurements { area } unless given per label). Reading it back (parseGeoJson +
 * rasterizeObjects) gives the same labels.
 *
 * @example
 * ```ts
 * import { labelsToFeatureCollection, readLabels, writeFileAtomic } from 'nucseg';
 * const geo = labelsToFeatureCollection(await readLabels('examples/fields/labels/dsb-3ebd2ab3.tif'));
 * await writeFileAtomic('dsb-3ebd2ab3.geojson', JSON.stringify(geo));
 * ```
 */
export function labelsToFeatureCollection(labels: LabelImage, extra: Record<number, Record<string, number>> = {}): { type: 'FeatureCollection'; features: object[] } {
  const features = labelOutlines(labels).map(({ id, area, polygons }) => ({
    type: 'Feature',
    id: String(id),
    geometry: polygons.length === 1 ? { type: 'Polygon', coordinates: polygons[0] } : { type: 'MultiPolygon', coordinates: polygons },
    properties: { objectType: 'detection', name: `nucleus ${id}`, label: id, classification: { name: 'Nucleus', color: [255, 220, 0] }, measurements: extra[id] ?? { area } },
  }));
  return { type: 'FeatureCollection', features };
}
