/** A closed ring of [x, y] vertices in pixel coordinates: origin at the image's top-left
 * corner, pixel (x, y) covers [x, x+1) x [y, y+1), so its centre is (x + 0.5, y + 0.5). The
 * last vertex may repeat the first; the ring is closed either way. */
export type Ring = [number, number][];

/**
 * The area of one object: the union of its groups; inside one group a point is inside when a
 * ray from it crosses the group's rings an odd number of times (even-odd). A GeoJSON Polygon
 * is one group (outer ring + holes), a MultiPolygon one group per polygon, an ImageJ
 * composite ROI one group with all its sub-paths (ImageJ fills composites even-odd).
 */
export type Geometry =
  | { kind: 'rings'; groups: Ring[][] }
  /** An ImageJ oval: the ellipse inscribed in the box [x, x+width) x [y, y+height). */
  | { kind: 'ellipse'; x: number; y: number; width: number; height: number };

/** One annotated object as read from GeoJSON or an ImageJ ROI, before rasterization. */
export interface AnnotationObject {
  /** How messages name it: its name, else `feature 3` / the ROI file name. */
  name: string;
  /** The label id it asks for (GeoJSON `properties.label`, or a name `nucleus 12`), if any. */
  requestedId?: number;
  /** QuPath's objectType ('annotation', 'detection', 'cell', ...) or the ImageJ ROI type. */
  objectType?: string;
  /** QuPath's classification name, if any. */
  classification?: string;
  /** Everything else the file said about it (GeoJSON properties; ROI header fields). */
  properties: Record<string, unknown>;
  geometry: Geometry;
}

/** What reading an annotation file gives: the objects with area, and those skipped. */
export interface AnnotationSet {
  objects: AnnotationObject[];
  /** Objects without an area (points, lines, text), by name, with the reason. */
  skipped: { name: string; reason: string }[];
}
