import { Option } from 'clipanion';
import { NucsegCommand } from './base.js';
import { NucsegError } from '../util/errors.js';
import type { SegmentFilesOptions } from '../segment/batch.js';
import { compileNamePattern } from '../segment/plate.js';
import { DEFAULT_MODEL } from '../models/registry.js';

// Options shared by `nucseg segment` and `nucseg watch`.
export const segmentOptionDefs = {
  out: () => Option.String('--out,-o', { required: true, description: 'Output folder (labels, CSVs, summary.csv, run.json)' }),
  model: () => Option.String('--model', DEFAULT_MODEL, { description: `A bundled model (default ${DEFAULT_MODEL}; nucseg models list), 'classic' (no weights), an .onnx file with its card, or a bioimage.io package .zip` }),
  device: () => Option.String('--device', 'auto', { description: 'For ONNX models: auto, cpu, cuda or webgpu' }),
  batch: () => Option.String('--batch', '4', { description: 'For ONNX models: tiles per inference batch' }),
  diameter: () => Option.String('--diameter', 'auto', { description: "Nucleus diameter in pixels, or auto (default): estimated per field; every model uses it (deep models resize each field to the size they were trained at)" }),
  tta: () => Option.Boolean('--tta', false, { description: 'Test-time augmentation: average the deep model over the field and its flips (4x the model time)' }),
  threshold: () => Option.String('--threshold', { description: 'Foreground threshold on the normalized 0..1 image (classic; default Otsu)' }),
  minArea: () => Option.String('--min-area', { description: 'Drop nuclei smaller than this (pixels)' }),
  maxArea: () => Option.String('--max-area', { description: 'Drop nuclei larger than this (pixels)' }),
  normalize: () => Option.String('--normalize', 'percentile', { description: 'percentile (1–99.8, default), minmax or none' }),
  percentiles: () => Option.String('--percentiles', { description: 'Low,high percentiles for --normalize percentile (default 1,99.8)' }),
  range: () => Option.String('--range', { description: 'Explicit intensity range lo,hi mapped to 0..1' }),
  z: () => Option.String('--z', { description: 'Z plane (0-based) of multi-page stacks (default: max projection)' }),
  stackChannel: () => Option.String('--stack-channel', { description: 'Channel (0-based) of multi-channel ImageJ hyperstacks and OME-TIFFs (they are an error without it)' }),
  channel: () => Option.String('--channel', { description: 'Only files of this channel (from the file name, e.g. 01 or 1)' }),
  namePattern: () => Option.String('--name-pattern', { description: 'Regex with named groups (well, field, z, channel, plate, row, column) for plate metadata' }),
  threads: () => Option.String('--threads', { description: 'Native threads in total (default: all cores)' }),
  overlay: () => Option.Boolean('--overlay', false, { description: 'Also write <name>.overlay.png (outlines on the image)' }),
  geojson: () => Option.Boolean('--geojson', false, { description: 'Also write <name>.geojson (QuPath-compatible polygons)' }),
  roiZip: () => Option.Boolean('--roi-zip', false, { description: 'Also write <name>.rois.zip (an ImageJ/Fiji ROI Manager zip of the nuclei)' }),
  thumbnails: () => Option.Boolean('--thumbnails', false, { description: 'Also write <name>.thumb.png (outlines on the field, at most 192 px a side: the thumbnails of nucseg report)' }),
  csv: () => Option.Boolean('--csv', true, { description: 'Write <name>.csv with one row per nucleus (--no-csv to skip)' }),
  tile: () => Option.String('--tile', { description: 'Process in tiles of this size (default: only images over 4096²)' }),
  overlap: () => Option.String('--overlap', { description: 'Tile overlap in pixels (default 3 × diameter)' }),
  force: () => Option.Boolean('--force', false, { description: 'Redo images whose outputs are already complete' }),
  quiet: () => Option.Boolean('--quiet', false, { description: 'Print nothing but errors' }),
  json: () => Option.Boolean('--json', false, { description: 'Machine output: one JSON line per image on stdout, progress as JSON on stderr' }),
};

function num(v: string | undefined, name: string, check: (n: number) => boolean, what: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || !check(n)) throw new NucsegError(`${name} must be ${what}, not '${v}'`);
  return n;
}

function pair(v: string | undefined, name: string): [number, number] | undefined {
  if (v === undefined) return undefined;
  const p = v.split(',').map(Number);
  if (p.length !== 2 || p.some((x) => !Number.isFinite(x)) || !(p[1] > p[0])) throw new NucsegError(`${name} must be two increasing numbers 'a,b', not '${v}'`);
  return [p[0], p[1]];
}

/** Turns parsed CLI strings into library options, with one clear error per bad value. */
export function toSegmentOptions(c: Record<string, unknown>): SegmentFilesOptions {
  const s = (k: string) => c[k] as string | undefined;
  const device = s('device') ?? 'auto';
  if (!['auto', 'cpu', 'cuda', 'webgpu'].includes(device)) throw new NucsegError(`--device must be auto, cpu, cuda or webgpu, not '${device}'`);
  const norm = s('normalize');
  if (norm !== 'percentile' && norm !== 'minmax' && norm !== 'none') throw new NucsegError(`--normalize must be percentile, minmax or none, not '${norm}'`);
  const pct = pair(s('percentiles'), '--percentiles');
  const tileSize = num(s('tile'), '--tile', (n) => Number.isInteger(n) && n >= 64, 'a whole number >= 64');
  const diameter = s('diameter') === undefined || s('diameter') === 'auto' ? 'auto' : num(s('diameter'), '--diameter', (n) => n >= 2 && n <= 1000, "'auto' or a number of pixels in [2, 1000]")!;
  const overlap = num(s('overlap'), '--overlap', (n) => Number.isInteger(n) && n >= 0, 'a whole number >= 0');
  if (s('namePattern')) compileNamePattern(s('namePattern')!);
  return {
    out: s('out')!,
    model: s('model') ?? DEFAULT_MODEL,
    device: device as 'auto',
    batch: num(s('batch'), '--batch', (n) => Number.isInteger(n) && n >= 1 && n <= 256, 'a whole number in [1, 256]'),
    diameter,
    tta: c.tta as boolean,
    classic: {
      threshold: num(s('threshold'), '--threshold', (n) => n >= 0 && n <= 1, 'in [0, 1]'),
      minArea: num(s('minArea'), '--min-area', (n) => n >= 0, '>= 0'),
      maxArea: num(s('maxArea'), '--max-area', (n) => n > 0, '> 0'),
    },
    normalize: { mode: norm, low: pct?.[0], high: pct?.[1], range: pair(s('range'), '--range') },
    z: num(s('z'), '--z', (n) => Number.isInteger(n) && n >= 0, 'a whole number >= 0'),
    stackChannel: num(s('stackChannel'), '--stack-channel', (n) => Number.isInteger(n) && n >= 0, 'a whole number >= 0'),
    channel: s('channel') !== undefined ? String(Number.isNaN(Number(s('channel'))) ? s('channel') : s('channel')) : undefined,
    namePattern: s('namePattern'),
    threads: num(s('threads'), '--threads', (n) => Number.isInteger(n) && n >= 0, 'a whole number >= 0'),
    overlay: c.overlay as boolean,
    geojson: c.geojson as boolean,
    roiZip: c.roiZip as boolean,
    thumbnails: c.thumbnails as boolean,
    csv: c.csv as boolean,
    tile: tileSize !== undefined ? { size: tileSize, overlap: overlap ?? Math.min(Math.floor(tileSize / 2), Math.ceil(3 * (diameter === 'auto' ? 24 : diameter))) } : undefined,
    force: c.force as boolean,
  };
}

/** Options shared by `segment` and `watch` (clipanion picks up inherited option fields). */
export abstract class SegmentOptionsCommand extends NucsegCommand {
  out = segmentOptionDefs.out();
  model = segmentOptionDefs.model();
  device = segmentOptionDefs.device();
  batch = segmentOptionDefs.batch();
  diameter = segmentOptionDefs.diameter();
  tta = segmentOptionDefs.tta();
  threshold = segmentOptionDefs.threshold();
  minArea = segmentOptionDefs.minArea();
  maxArea = segmentOptionDefs.maxArea();
  normalize = segmentOptionDefs.normalize();
  percentiles = segmentOptionDefs.percentiles();
  range = segmentOptionDefs.range();
  z = segmentOptionDefs.z();
  stackChannel = segmentOptionDefs.stackChannel();
  channel = segmentOptionDefs.channel();
  namePattern = segmentOptionDefs.namePattern();
  threads = segmentOptionDefs.threads();
  overlay = segmentOptionDefs.overlay();
  geojson = segmentOptionDefs.geojson();
  roiZip = segmentOptionDefs.roiZip();
  thumbnails = segmentOptionDefs.thumbnails();
  csv = segmentOptionDefs.csv();
  tile = segmentOptionDefs.tile();
  overlap = segmentOptionDefs.overlap();
  force = segmentOptionDefs.force();
  quiet = segmentOptionDefs.quiet();
  json = segmentOptionDefs.json();
}
