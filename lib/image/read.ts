import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { fromArrayBuffer, type GeoTIFFImage } from 'geotiff';
import { PNG } from 'pngjs';
import { NucsegError } from '../util/errors.js';
import { checkTiffStructure } from './tiff-guard.js';
import { installTiffCodecs } from './tiff-codecs.js';

installTiffCodecs();
import type { PixelArray, ReadImage, LabelImage } from './types.js';

/** Options for readImage. */
export interface ReadImageOptions {
  /**
   * Which page (IFD, 0-based) of a multi-page TIFF to read. Pages flagged as reduced-
   * resolution thumbnails are not counted. Default: 0.
   */
  page?: number;
  /** 'max': maximum-intensity projection over all pages (Z-stacks). Overrides `page`. */
  projection?: 'max';
  /**
   * The channel (0-based) of a multi-channel ImageJ hyperstack or OME-TIFF, whose axes the
   * file's description gives. Such a file without `channel` is an error: its channels are
   * never projected as if they were Z planes. With a channel, `page` and `projection`
   * address that channel's Z planes (time point 0).
   */
  channel?: number;
  /** Refuse images with more pixels than this (default 2^31, env NUCSEG_MAX_PIXELS). */
  maxPixels?: number;
}

const DEFAULT_MAX_PIXELS = 2 ** 31;

// Largest plausible decoded/encoded size ratio per TIFF compression, to reject headers
// that claim a size the file cannot hold before anything that large is allocated.
const MAX_RATIO: Record<number, number> = { 1: 1, 5: 4096, 8: 1100, 32946: 1100, 32773: 130 };

function fail(path: string, reason: string, cause?: unknown): never {
  throw new NucsegError(reason, { file: path, cause });
}

function maxPixelsFrom(opts: ReadImageOptions): number {
  const env = Number(process.env.NUCSEG_MAX_PIXELS);
  return opts.maxPixels ?? (Number.isFinite(env) && env > 0 ? env : DEFAULT_MAX_PIXELS);
}

/**
 * Reads a single-channel image: TIFF (8/16/32-bit integer, 32/64-bit float; uncompressed,
 * LZW, Deflate or PackBits; strips or tiles; multi-page with a page choice or max
 * projection) or PNG (8/16-bit gray; RGB only when all channels are equal). Returns the
 * pixels in their own type (Uint8Array, Uint16Array, …). Throws NucsegError naming the
 * file for anything unreadable: truncated or corrupt data, RGB, an unsupported sample
 * format, or a header claiming dimensions the file cannot hold.
 */
export async function readImage(path: string, opts: ReadImageOptions = {}): Promise<ReadImage> {
  let buf: Buffer;
  try {
    buf = await readFile(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    fail(path, code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a folder, not an image' : `cannot read file (${code})`, e);
  }
  return decodeImage(buf, path, opts);
}

/** Decodes image bytes already in memory (see readImage). `path` is used in messages. */
export async function decodeImage(buf: Uint8Array, path: string, opts: ReadImageOptions = {}): Promise<ReadImage> {
  if (buf.length >= 8 && buf[0] === 0x89 && buf[1] === 0x50 && buf[2] === 0x4e && buf[3] === 0x47) return decodePng(buf, path, opts);
  if (buf.length >= 4 && ((buf[0] === 0x49 && buf[1] === 0x49) || (buf[0] === 0x4d && buf[1] === 0x4d))) return decodeTiff(buf, path, opts);
  const ext = extname(path).toLowerCase();
  if (buf.length === 0) fail(path, 'file is empty');
  fail(path, `not a TIFF or PNG file${ext ? ` (extension ${ext})` : ''}`);
}

async function decodeTiff(buf: Uint8Array, path: string, opts: ReadImageOptions): Promise<ReadImage> {
  checkTiffStructure(buf, path);
  // geotiff wants an ArrayBuffer: use the file's own when the Buffer spans it (large files),
  // so a multi-GB field is not held twice
  const ab = (buf.byteOffset === 0 && buf.byteLength === buf.buffer.byteLength ? buf.buffer : buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength)) as ArrayBuffer;
  let pages: GeoTIFFImage[];
  try {
    const tiff = await fromArrayBuffer(ab);
    const n = await tiff.getImageCount();
    if (n > 100000) fail(path, `claims ${n} pages`);
    pages = [];
    for (let i = 0; i < n; i++) {
      const im = await tiff.getImage(i);
      const subfile = Number(im.getFileDirectory().getValue('NewSubfileType') ?? 0);
      if ((subfile & 1) === 0) pages.push(im);
    }
  } catch (e) {
    if (e instanceof NucsegError) throw e;
    fail(path, `corrupt or truncated TIFF (${(e as Error).message})`, e);
  }
  if (pages.length === 0) fail(path, 'TIFF has no full-resolution image');
  pages = channelPlanes(pages, await hyperstackAxes(pages[0]), path, opts);

  const selected = opts.projection === 'max' ? pages : [pages[opts.page ?? 0]];
  if (!selected[0]) fail(path, `has ${pages.length} page(s); page ${opts.page} does not exist`);

  let out: PixelArray | undefined;
  let width = 0, height = 0, bits = 0;
  let format: 'uint' | 'int' | 'float' = 'uint';
  for (const im of selected) {
    const info = await checkTiffPage(im, buf.length, path, maxPixelsFrom(opts));
    if (out === undefined) {
      ({ width, height, bits, format } = info);
    } else if (info.width !== width || info.height !== height || info.bits !== bits || info.format !== format) {
      fail(path, 'pages of the stack differ in size or type; cannot project');
    }
    let raster: PixelArray;
    try {
      raster = (await im.readRasters({ interleave: true })) as unknown as PixelArray;
    } catch (e) {
      fail(path, `corrupt or truncated TIFF data (${(e as Error).message})`, e);
    }
    if (raster.length !== width * height) fail(path, 'decoded pixel count does not match the header');
    if (out === undefined) out = raster;
    else for (let i = 0; i < out.length; i++) if (raster[i] > out[i]) out[i] = raster[i];
  }
  return { data: out!, width, height, bitsPerSample: bits, sampleFormat: format, pages: pages.length, path };
}

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

/** The Z planes of the chosen channel (time point 0) of a hyperstack; a plain stack as it is. */
function channelPlanes(pages: GeoTIFFImage[], ax: Awaited<ReturnType<typeof hyperstackAxes>>, path: string, opts: ReadImageOptions): GeoTIFFImage[] {
  if (!ax || !(ax.C > 1) || !/^[CZT]{3}$/.test(ax.order)) {
    if (opts.channel !== undefined && opts.channel !== 0) fail(path, `has one channel; channel ${opts.channel} does not exist`);
    return pages;
  }
  if (!(Number.isInteger(ax.C) && Number.isInteger(ax.Z) && Number.isInteger(ax.T) && ax.C * ax.Z * ax.T === pages.length)) fail(path, `its description claims ${ax.C} channels x ${ax.Z} slices x ${ax.T} frames, but it has ${pages.length} pages`);
  if (opts.channel === undefined) fail(path, `has ${ax.C} channels (a multi-channel hyperstack); choose one with --stack-channel 0..${ax.C - 1} (library: { channel })`);
  if (!(Number.isInteger(opts.channel) && opts.channel >= 0 && opts.channel < ax.C)) fail(path, `has ${ax.C} channels; channel ${opts.channel} does not exist`);
  const size: Record<string, number> = { C: ax.C, Z: ax.Z, T: ax.T };
  const stride: Record<string, number> = {};
  let s = 1;
  for (const d of ax.order) {
    stride[d] = s;
    s *= size[d];
  }
  const out: GeoTIFFImage[] = [];
  for (let z = 0; z < ax.Z; z++) out.push(pages[opts.channel * stride.C + z * stride.Z]);
  return out;
}

async function checkTiffPage(im: GeoTIFFImage, fileSize: number, path: string, maxPixels: number) {
  let width: number, height: number, spp: number, bits: number, fmt: number, compression: number;
  try {
    width = im.getWidth();
    height = im.getHeight();
    spp = im.getSamplesPerPixel();
    bits = im.getBitsPerSample();
    fmt = im.getSampleFormat();
    compression = Number(im.getFileDirectory().getValue('Compression') ?? 1);
  } catch (e) {
    fail(path, `corrupt TIFF header (${(e as Error).message})`, e);
  }
  if (!(width > 0 && height > 0)) fail(path, `invalid image size ${width}x${height}`);
  if (spp !== 1) fail(path, `has ${spp} samples per pixel (RGB or multi-channel); nucseg needs single-channel images`);
  const format: 'uint' | 'int' | 'float' | undefined = fmt === 1 ? 'uint' : fmt === 2 ? 'int' : fmt === 3 ? 'float' : undefined;
  if (!format) fail(path, `unsupported TIFF sample format ${fmt}`);
  const okBits = format === 'float' ? [32, 64] : [8, 16, 32];
  if (!okBits.includes(bits)) fail(path, `unsupported ${bits}-bit ${format} samples (supported: ${okBits.join(', ')}-bit)`);
  if (width * height > maxPixels) fail(path, `header claims ${width}x${height} pixels, more than the limit of ${maxPixels} (set NUCSEG_MAX_PIXELS to raise it)`);
  const ratio = MAX_RATIO[compression];
  if (ratio === undefined) fail(path, `unsupported TIFF compression ${compression}`);
  const decoded = (width * height * bits) / 8;
  if (decoded > fileSize * ratio + 65536) fail(path, `header claims ${width}x${height} pixels, more than a ${fileSize}-byte file can hold`);
  // Every strip/tile must lie inside the file.
  const fd = im.getFileDirectory();
  const tiled = im.isTiled;
  let offsets: ArrayLike<number> | undefined, counts: ArrayLike<number> | undefined;
  try {
    offsets = (await fd.loadValue(tiled ? 'TileOffsets' : 'StripOffsets')) as ArrayLike<number> | undefined;
    counts = (await fd.loadValue(tiled ? 'TileByteCounts' : 'StripByteCounts')) as ArrayLike<number> | undefined;
  } catch (e) {
    fail(path, `corrupt TIFF strip table (${(e as Error).message})`, e);
  }
  if (!offsets || !counts || offsets.length !== counts.length) fail(path, 'corrupt TIFF: missing or inconsistent strip/tile table');
  // strip and tile geometry must be whole, positive and consistent with the table (a RowsPerStrip
  // stored as the float 5.6e-44 made the decoder loop until V8 ran out of memory: fuzz finding)
  const geom = (v: unknown) => (v === undefined ? undefined : Number(Array.isArray(v) || ArrayBuffer.isView(v) ? (v as ArrayLike<number>)[0] : v));
  if (tiled) {
    const tw = geom(fd.getValue('TileWidth')), th = geom(fd.getValue('TileLength'));
    if (!(Number.isInteger(tw) && Number.isInteger(th) && tw! >= 1 && th! >= 1)) fail(path, `corrupt TIFF: tile size ${tw}x${th}`);
    if (offsets.length < Math.ceil(width / tw!) * Math.ceil(height / th!)) fail(path, 'corrupt TIFF: fewer tiles than the image needs');
    // every tile is decoded whole: its size must be one its bytes can hold (a 2^28-px-wide tile
    // in a 935-byte file took 13 GB and 40 s: fuzz finding tiff-huge-tile)
    const tileBytes = (tw! * th! * bits) / 8;
    for (let i = 0; i < counts.length; i++) if (tileBytes > Number(counts[i]) * ratio + 65536) fail(path, `corrupt TIFF: a ${tw}x${th} tile cannot come from ${counts[i]} bytes`);
  } else {
    const rps = geom(fd.getValue('RowsPerStrip')) ?? height;
    if (!(Number.isInteger(rps) && rps >= 1)) fail(path, `corrupt TIFF: RowsPerStrip is ${rps}`);
    if (offsets.length < Math.ceil(height / Math.min(rps, height))) fail(path, 'corrupt TIFF: fewer strips than the image needs');
    const rows = Math.min(rps, height);
    for (let i = 0; i * rows < height && i < counts.length; i++) {
      const stripBytes = (Math.min(rows, height - i * rows) * width * bits) / 8;
      if (stripBytes > Number(counts[i]) * ratio + 65536) fail(path, `corrupt TIFF: a strip of ${Math.min(rows, height - i * rows)} rows cannot come from ${counts[i]} bytes`);
    }
  }
  for (let i = 0; i < offsets.length; i++) {
    if (Number(offsets[i]) + Number(counts[i]) > fileSize) fail(path, 'truncated TIFF: image data runs past the end of the file');
  }
  return { width, height, bits, format };
}

function decodePng(buf: Uint8Array, path: string, opts: ReadImageOptions): ReadImage {
  if (opts.page) fail(path, 'PNG files have a single page');
  // Check the IHDR size before pngjs allocates anything.
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  if (buf.length < 33) fail(path, 'truncated PNG header');
  const w = dv.getUint32(16), h = dv.getUint32(20);
  if (w === 0 || h === 0) fail(path, `invalid PNG size ${w}x${h}`);
  if (w * h > maxPixelsFrom(opts)) fail(path, `header claims ${w}x${h} pixels, more than the limit of ${maxPixelsFrom(opts)}`);
  if (w * h > buf.length * 1100 + 65536) fail(path, `header claims ${w}x${h} pixels, more than a ${buf.length}-byte file can hold`);
  let png: PNG;
  try {
    png = PNG.sync.read(Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength), { skipRescale: true } as never);
  } catch (e) {
    fail(path, `corrupt or truncated PNG (${(e as Error).message})`, e);
  }
  const { width, height } = png;
  const src = png.data as unknown as ArrayLike<number>;
  const depth = (png as unknown as { depth?: number }).depth ?? (src instanceof Uint16Array ? 16 : 8);
  const bits = depth === 16 ? 16 : 8;
  const n = width * height;
  const out = bits === 16 ? new Uint16Array(n) : new Uint8Array(n);
  let rgb = false;
  for (let i = 0, j = 0; i < n; i++, j += 4) {
    const r = src[j];
    if (src[j + 1] !== r || src[j + 2] !== r) rgb = true;
    out[i] = r;
  }
  if (rgb) fail(path, 'is an RGB PNG with colour; nucseg needs single-channel images');
  return { data: out, width, height, bitsPerSample: bits, sampleFormat: 'uint', pages: 1, path };
}

/**
 * Reads an instance label image (see readImage) and returns it as Uint16Array or
 * Uint32Array. 8-bit labels widen to 16; signed integer labels are accepted when no value
 * is negative. Float or RGB images are refused with an error naming the file.
 */
export async function readLabels(path: string, opts: Omit<ReadImageOptions, 'projection'> = {}): Promise<LabelImage & { path: string }> {
  const im = await readImage(path, opts);
  return { ...toLabels(im, path), path };
}

/** Converts a decoded image to a label image, refusing float and negative values. */
export function toLabels(im: ReadImage, path: string): LabelImage {
  const { data, width, height } = im;
  if (im.sampleFormat === 'float') fail(path, `is a ${im.bitsPerSample}-bit float image; label images must be integer`);
  if (data instanceof Uint16Array || data instanceof Uint32Array) return { data, width, height };
  if (data instanceof Uint8Array) return { data: Uint16Array.from(data), width, height };
  let max = 0;
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (v < 0) fail(path, `has negative label value ${v}`);
    if (v > max) max = v;
  }
  return { data: max > 0xffff ? Uint32Array.from(data as ArrayLike<number>) : Uint16Array.from(data as ArrayLike<number>), width, height };
}
