import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { fromArrayBuffer, type GeoTIFFImage } from 'geotiff';
import { PNG } from 'pngjs';
import { NucsegError, throwFileError } from '../util/errors.js';
import { checkTiffStructure } from './tiff-guard.js';
import { installTiffCodecs } from './tiff-codecs.js';
import { channelPlanes, checkTiffPage, hyperstackAxes } from './tiff-pages.js';

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
 *
 * @example
 * ```ts
 * import { readImage } from 'nucseg';
 * const im = await readImage('examples/fields/images/dsb-3ebd2ab3.tif');
 * console.log(im.width, im.height, im.bitsPerSample, im.sampleFormat, im.pages); // 696 520 8 uint 1
 * // a Z-stack: readImage(path, { projection: 'max' }); one plane: { page: 3 }
 * ```
 */
export async function readImage(path: string, opts: ReadImageOptions = {}): Promise<ReadImage> {
  let buf: Buffer;
  try {
    buf = await readFile(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throwFileError(path, code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a folder, not an image' : `cannot read file (${code})`, e);
  }
  return decodeImage(buf, path, opts);
}

/**
 * Decodes image bytes already in memory (see readImage). `path` is used in messages.
 *
 * @example
 * ```ts
 * import { readFile } from 'node:fs/promises';
 * import { decodeImage } from 'nucseg';
 * const bytes = await readFile('examples/fields/images/dsb-3ebd2ab3.tif');
 * const im = await decodeImage(bytes, 'dsb-3ebd2ab3.tif'); // the name is only for error messages
 * ```
 */
export async function decodeImage(buf: Uint8Array, path: string, opts: ReadImageOptions = {}): Promise<ReadImage> {
  if (buf.length >= 8 && buf[0] === 0x89 && buf[1] === 0x50 && buf[2] === 0x4e && buf[3] === 0x47) return decodePng(buf, path, opts);
  if (buf.length >= 4 && ((buf[0] === 0x49 && buf[1] === 0x49) || (buf[0] === 0x4d && buf[1] === 0x4d))) return decodeTiff(buf, path, opts);
  const ext = extname(path).toLowerCase();
  if (buf.length === 0) throwFileError(path, 'file is empty');
  throwFileError(path, `not a TIFF or PNG file${ext ? ` (extension ${ext})` : ''}`);
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
    if (n > 100000) throwFileError(path, `claims ${n} pages`);
    pages = [];
    for (let i = 0; i < n; i++) {
      const im = await tiff.getImage(i);
      const subfile = Number(im.getFileDirectory().getValue('NewSubfileType') ?? 0);
      if ((subfile & 1) === 0) pages.push(im);
    }
  } catch (e) {
    if (e instanceof NucsegError) throw e;
    throwFileError(path, `corrupt or truncated TIFF (${(e as Error).message})`, e);
  }
  if (pages.length === 0) throwFileError(path, 'TIFF has no full-resolution image');
  pages = channelPlanes(pages, await hyperstackAxes(pages[0]), path, opts.channel);

  const selected = opts.projection === 'max' ? pages : [pages[opts.page ?? 0]];
  if (!selected[0]) throwFileError(path, `has ${pages.length} page(s); page ${opts.page} does not exist`);

  let out: PixelArray | undefined;
  let width = 0, height = 0, bits = 0;
  let format: 'uint' | 'int' | 'float' = 'uint';
  for (const im of selected) {
    const info = await checkTiffPage(im, buf.length, path, maxPixelsFrom(opts));
    if (out === undefined) {
      ({ width, height, bits, format } = info);
    } else if (info.width !== width || info.height !== height || info.bits !== bits || info.format !== format) {
      throwFileError(path, 'pages of the stack differ in size or type; cannot project');
    }
    let raster: PixelArray;
    try {
      raster = (await im.readRasters({ interleave: true })) as unknown as PixelArray;
    } catch (e) {
      throwFileError(path, `corrupt or truncated TIFF data (${(e as Error).message})`, e);
    }
    if (raster.length !== width * height) throwFileError(path, 'decoded pixel count does not match the header');
    if (out === undefined) out = raster;
    else for (let i = 0; i < out.length; i++) if (raster[i] > out[i]) out[i] = raster[i];
  }
  return { data: out!, width, height, bitsPerSample: bits, sampleFormat: format, pages: pages.length, path };
}

function decodePng(buf: Uint8Array, path: string, opts: ReadImageOptions): ReadImage {
  if (opts.page) throwFileError(path, 'PNG files have a single page');
  // Check the IHDR size before pngjs allocates anything.
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  if (buf.length < 33) throwFileError(path, 'truncated PNG header');
  const w = dv.getUint32(16), h = dv.getUint32(20);
  if (w === 0 || h === 0) throwFileError(path, `invalid PNG size ${w}x${h}`);
  if (w * h > maxPixelsFrom(opts)) throwFileError(path, `header claims ${w}x${h} pixels, more than the limit of ${maxPixelsFrom(opts)}`);
  if (w * h > buf.length * 1100 + 65536) throwFileError(path, `header claims ${w}x${h} pixels, more than a ${buf.length}-byte file can hold`);
  let png: PNG;
  try {
    png = PNG.sync.read(Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength), { skipRescale: true } as never);
  } catch (e) {
    throwFileError(path, `corrupt or truncated PNG (${(e as Error).message})`, e);
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
  if (rgb) throwFileError(path, 'is an RGB PNG with colour; nucseg needs single-channel images');
  return { data: out, width, height, bitsPerSample: bits, sampleFormat: 'uint', pages: 1, path };
}

/**
 * Reads an instance label image (see readImage) and returns it as Uint16Array or
 * Uint32Array. 8-bit labels widen to 16; signed integer labels are accepted when no value
 * is negative. Float or RGB images are refused with an error naming the file.
 *
 * @example
 * ```ts
 * import { readLabels } from 'nucseg';
 * const gt = await readLabels('examples/fields/labels/dsb-3ebd2ab3.tif'); // 8-bit labels come back as Uint16Array
 * const ids = new Set(gt.data);
 * ids.delete(0);
 * console.log(ids.size, 'nuclei');
 * ```
 */
export async function readLabels(path: string, opts: Omit<ReadImageOptions, 'projection'> = {}): Promise<LabelImage & { path: string }> {
  const im = await readImage(path, opts);
  return { ...toLabels(im, path), path };
}

/**
 * Converts a decoded image to a label image, refusing float and negative values.
 *
 * @example
 * ```ts
 * import { readImage, toLabels } from 'nucseg';
 * const path = 'examples/gt/dsb-4bf6a5ec.tif';
 * const labels = toLabels(await readImage(path), path); // float or negative labels are refused, naming path
 * ```
 */
export function toLabels(im: ReadImage, path: string): LabelImage {
  const { data, width, height } = im;
  if (im.sampleFormat === 'float') throwFileError(path, `is a ${im.bitsPerSample}-bit float image; label images must be integer`);
  if (data instanceof Uint16Array || data instanceof Uint32Array) return { data, width, height };
  if (data instanceof Uint8Array) return { data: Uint16Array.from(data), width, height };
  let max = 0;
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (v < 0) throwFileError(path, `has negative label value ${v}`);
    if (v > max) max = v;
  }
  return { data: max > 0xffff ? Uint32Array.from(data as ArrayLike<number>) : Uint16Array.from(data as ArrayLike<number>), width, height };
}
