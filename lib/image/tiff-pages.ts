// The pages of a TIFF that readImage decodes: the Z planes of one channel of a hyperstack
// (ImageJ or OME description), and each page's header checked before its pixels are decoded.
import type { GeoTIFFImage } from 'geotiff';
import { throwFileError } from '../util/errors.js';

// Largest plausible decoded/encoded size ratio per TIFF compression, to reject headers
// that claim a size the file cannot hold before anything that large is allocated.
const MAX_RATIO: Record<number, number> = { 1: 1, 5: 4096, 8: 1100, 32946: 1100, 32773: 130 };

/** Sizes and page order of a hyperstack, from an ImageJ or OME-XML description (null: a plain stack). */
export async function hyperstackAxes(first: GeoTIFFImage): Promise<{ C: number; Z: number; T: number; order: string } | null> {
  let desc = '';
  try {
    desc = String((await first.getFileDirectory().loadValue('ImageDescription')) ?? '');
  } catch {
    return null;
  }
  if (desc.startsWith('ImageJ=')) {
    const get = (k: string) => Number(new RegExp(`^${k}=(\\d+)`, 'm').exec(desc)?.[1] ?? 1);
    return { C: get('channels'), Z: get('slices'), T: get('frames'), order: 'CZT' }; // ImageJ hyperstacks: channel fastest
  }
  const px = /<(?:\w+:)?Pixels\b[^>]*>/.exec(desc)?.[0];
  if (px) {
    const attr = (k: string) => new RegExp(`\\b${k}="([^"]*)"`).exec(px)?.[1];
    const order = (attr('DimensionOrder') ?? 'XYCZT').replace(/^XY/, '');
    return { C: Number(attr('SizeC') ?? 1), Z: Number(attr('SizeZ') ?? 1), T: Number(attr('SizeT') ?? 1), order };
  }
  return null;
}

/** The Z planes of `channel` (time point 0) of a hyperstack; a plain stack as it is (see ReadImageOptions.channel). */
export function channelPlanes(pages: GeoTIFFImage[], ax: Awaited<ReturnType<typeof hyperstackAxes>>, path: string, channel: number | undefined): GeoTIFFImage[] {
  if (!ax || !(ax.C > 1) || !/^[CZT]{3}$/.test(ax.order)) {
    if (channel !== undefined && channel !== 0) throwFileError(path, `has one channel; channel ${channel} does not exist`);
    return pages;
  }
  if (!(Number.isInteger(ax.C) && Number.isInteger(ax.Z) && Number.isInteger(ax.T) && ax.C * ax.Z * ax.T === pages.length)) throwFileError(path, `its description claims ${ax.C} channels x ${ax.Z} slices x ${ax.T} frames, but it has ${pages.length} pages`);
  if (channel === undefined) throwFileError(path, `has ${ax.C} channels (a multi-channel hyperstack); choose one with --stack-channel 0..${ax.C - 1} (library: { channel })`);
  if (!(Number.isInteger(channel) && channel >= 0 && channel < ax.C)) throwFileError(path, `has ${ax.C} channels; channel ${channel} does not exist`);
  const size: Record<string, number> = { C: ax.C, Z: ax.Z, T: ax.T };
  const stride: Record<string, number> = {};
  let s = 1;
  for (const d of ax.order) {
    stride[d] = s;
    s *= size[d];
  }
  const out: GeoTIFFImage[] = [];
  for (let z = 0; z < ax.Z; z++) out.push(pages[channel * stride.C + z * stride.Z]);
  return out;
}

/** Checks one page's header before it is decoded: single-channel, a supported sample type and compression, a size the limit and the file allow, and a strip or tile table that lies inside the file. */
export async function checkTiffPage(im: GeoTIFFImage, fileSize: number, path: string, maxPixels: number) {
  let width: number, height: number, spp: number, bits: number, fmt: number, compression: number;
  try {
    width = im.getWidth();
    height = im.getHeight();
    spp = im.getSamplesPerPixel();
    bits = im.getBitsPerSample();
    fmt = im.getSampleFormat();
    compression = Number(im.getFileDirectory().getValue('Compression') ?? 1);
  } catch (e) {
    throwFileError(path, `corrupt TIFF header (${(e as Error).message})`, e);
  }
  if (!(width > 0 && height > 0)) throwFileError(path, `invalid image size ${width}x${height}`);
  if (spp !== 1) throwFileError(path, `has ${spp} samples per pixel (RGB or multi-channel); nucseg needs single-channel images`);
  const format: 'uint' | 'int' | 'float' | undefined = fmt === 1 ? 'uint' : fmt === 2 ? 'int' : fmt === 3 ? 'float' : undefined;
  if (!format) throwFileError(path, `unsupported TIFF sample format ${fmt}`);
  const okBits = format === 'float' ? [32, 64] : [8, 16, 32];
  if (!okBits.includes(bits)) throwFileError(path, `unsupported ${bits}-bit ${format} samples (supported: ${okBits.join(', ')}-bit)`);
  if (width * height > maxPixels) throwFileError(path, `header claims ${width}x${height} pixels, more than the limit of ${maxPixels} (set NUCSEG_MAX_PIXELS to raise it)`);
  const ratio = MAX_RATIO[compression];
  if (ratio === undefined) throwFileError(path, `unsupported TIFF compression ${compression}`);
  const decoded = (width * height * bits) / 8;
  if (decoded > fileSize * ratio + 65536) throwFileError(path, `header claims ${width}x${height} pixels, more than a ${fileSize}-byte file can hold`);
  // Every strip/tile must lie inside the file.
  const fd = im.getFileDirectory();
  const tiled = im.isTiled;
  let offsets: ArrayLike<number> | undefined, counts: ArrayLike<number> | undefined;
  try {
    offsets = (await fd.loadValue(tiled ? 'TileOffsets' : 'StripOffsets')) as ArrayLike<number> | undefined;
    counts = (await fd.loadValue(tiled ? 'TileByteCounts' : 'StripByteCounts')) as ArrayLike<number> | undefined;
  } catch (e) {
    throwFileError(path, `corrupt TIFF strip table (${(e as Error).message})`, e);
  }
  if (!offsets || !counts || offsets.length !== counts.length) throwFileError(path, 'corrupt TIFF: missing or inconsistent strip/tile table');
  // strip and tile geometry must be whole, positive and consistent with the table (a RowsPerStrip
  // stored as the float 5.6e-44 made the decoder loop until V8 ran out of memory: fuzz finding)
  const geom = (v: unknown) => (v === undefined ? undefined : Number(Array.isArray(v) || ArrayBuffer.isView(v) ? (v as ArrayLike<number>)[0] : v));
  if (tiled) {
    const tw = geom(fd.getValue('TileWidth')), th = geom(fd.getValue('TileLength'));
    if (!(Number.isInteger(tw) && Number.isInteger(th) && tw! >= 1 && th! >= 1)) throwFileError(path, `corrupt TIFF: tile size ${tw}x${th}`);
    if (offsets.length < Math.ceil(width / tw!) * Math.ceil(height / th!)) throwFileError(path, 'corrupt TIFF: fewer tiles than the image needs');
    // every tile is decoded whole: its size must be one its bytes can hold (a 2^28-px-wide tile
    // in a 935-byte file took 13 GB and 40 s: fuzz finding tiff-huge-tile)
    const tileBytes = (tw! * th! * bits) / 8;
    for (let i = 0; i < counts.length; i++) if (tileBytes > Number(counts[i]) * ratio + 65536) throwFileError(path, `corrupt TIFF: a ${tw}x${th} tile cannot come from ${counts[i]} bytes`);
  } else {
    const rps = geom(fd.getValue('RowsPerStrip')) ?? height;
    if (!(Number.isInteger(rps) && rps >= 1)) throwFileError(path, `corrupt TIFF: RowsPerStrip is ${rps}`);
    if (offsets.length < Math.ceil(height / Math.min(rps, height))) throwFileError(path, 'corrupt TIFF: fewer strips than the image needs');
    const rows = Math.min(rps, height);
    for (let i = 0; i * rows < height && i < counts.length; i++) {
      const stripBytes = (Math.min(rows, height - i * rows) * width * bits) / 8;
      if (stripBytes > Number(counts[i]) * ratio + 65536) throwFileError(path, `corrupt TIFF: a strip of ${Math.min(rows, height - i * rows)} rows cannot come from ${counts[i]} bytes`);
    }
  }
  for (let i = 0; i < offsets.length; i++) {
    if (Number(offsets[i]) + Number(counts[i]) > fileSize) throwFileError(path, 'truncated TIFF: image data runs past the end of the file');
  }
  return { width, height, bits, format };
}
