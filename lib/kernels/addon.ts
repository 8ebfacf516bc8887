// Loads the native addon once: a prebuilt binary from prebuilds/<platform>-<arch>/ when
// present, else the one `npm install` built into build/Release (node-gyp-build's rules).
// NUCSEG_ADDON=path loads a specific build (the ASan build in CI, for instance).
import { createRequire } from 'node:module';
import { sep } from 'node:path';
import { packageRoot } from '../util/package.js';

const require = createRequire(import.meta.url);

export interface NativeOverlap {
  pairGt: Uint32Array;
  pairPred: Uint32Array;
  pairCount: Float64Array;
  gtIds: Uint32Array;
  gtArea: Float64Array;
  predIds: Uint32Array;
  predArea: Float64Array;
  pairGtIndex: Uint32Array;
  pairPredIndex: Uint32Array;
  pairIoU: Float64Array;
}

export interface NativeBackends {
  cpu: { threads: number; simd: string };
  cuda: { compiled: boolean; devices: number; device: string; error: string };
  sanitized: boolean;
}

type NativeImage = { data: ArrayBufferView; width: number; height: number };
type Out<T> = { data: T; width: number; height: number };

export interface NativeRegionStats {
  ids: Uint32Array;
  area: Float64Array;
  x0: Int32Array;
  y0: Int32Array;
  x1: Int32Array;
  y1: Int32Array;
  cx: Float64Array;
  cy: Float64Array;
}

export interface NativeMeasurements {
  ids: Uint32Array;
  area: Float64Array;
  cx: Float64Array;
  cy: Float64Array;
  x0: Int32Array;
  y0: Int32Array;
  x1: Int32Array;
  y1: Int32Array;
  mu20: Float64Array;
  mu02: Float64Array;
  mu11: Float64Array;
  hullArea: Float64Array;
  intensitySum: Float64Array;
  intensityMin: Float64Array;
  intensityMax: Float64Array;
  touchesBorder: Uint8Array;
}

/**
 * Every function the addon exports (native/napi/*.cpp register_*), once. The Addon interface
 * below must declare exactly these (a compile error otherwise, see SameNames) and
 * test/kernels/addon-surface.test.ts checks them against Object.keys of the loaded addon, so a
 * binding added or removed on one side only fails a check instead of drifting.
 */
export const addonFunctions = [
  'backends',
  'labelOverlap',
  'nonzeroMask',
  'connectedComponents',
  'regionStats',
  'relabelSequential',
  'removeObjectsByArea',
  'fillHoles',
  'keepLargestComponent',
  'distanceTransform',
  'normalizedDistance',
  'blurredBorder',
  'gaussianBlur',
  'medianBlur',
  'otsuThreshold',
  'binaryMorphology',
  'resize',
  'measureRegions',
  'maxFilter',
  'augmentRois',
  'pasteInstances',
  'mergeTileInstances',
  'watershed',
] as const;
export type AddonFunction = (typeof addonFunctions)[number];

/** The raw addon surface. Only lib/kernels/* call it; everything else uses the wrappers. */
export interface Addon {
  backends(): NativeBackends;
  labelOverlap(gt: NativeImage, pred: NativeImage, threads: number, device: number): NativeOverlap;
  nonzeroMask(image: NativeImage): Out<Uint8Array>;
  connectedComponents(mask: NativeImage, connectivity: number, threads: number, stats: boolean, device: number, out?: NativeImage): { labels: Out<Uint32Array>; count: number; stats?: NativeRegionStats };
  regionStats(labels: NativeImage, threads: number): NativeRegionStats;
  relabelSequential<T>(labels: NativeImage, threads: number): { labels: Out<T>; count: number; oldIds: Uint32Array };
  removeObjectsByArea<T>(labels: NativeImage, minArea: number, maxArea: number, threads: number): { labels: Out<T>; removed: number };
  fillHoles<T>(labels: NativeImage, threads: number): { labels: Out<T>; filled: number };
  keepLargestComponent<T>(labels: NativeImage, threads: number): { labels: Out<T>; cleared: number };
  distanceTransform(mask: NativeImage, threads: number, device: number): Out<Float32Array>;
  normalizedDistance(labels: NativeImage, threads: number, out?: NativeImage): Out<Float32Array>;
  blurredBorder(labels: NativeImage, sigma: number, threads: number, out?: NativeImage): Out<Float32Array>;
  gaussianBlur(image: NativeImage, sigma: number, truncate: number, threads: number): Out<Float32Array>;
  medianBlur<T>(image: NativeImage, k: number, threads: number): Out<T>;
  otsuThreshold(image: NativeImage): number;
  binaryMorphology(mask: NativeImage, op: 'dilate' | 'erode' | 'open' | 'close', radius: number, threads: number): Out<Uint8Array>;
  resize<T>(image: NativeImage, width: number, height: number, mode: 'nearest' | 'bilinear' | 'area', threads: number): Out<T>;
  measureRegions(labels: NativeImage, intensity: NativeImage | null, threads: number): NativeMeasurements;
  maxFilter(image: NativeImage, radius: number, threads: number): Out<Float32Array>;
  augmentRois(
    sources: { image: NativeImage; labels: NativeImage; set: number; split: number; zoom: number }[],
    roiSet: Uint8Array,
    roiSplit: Uint8Array,
    config: object,
    seed: number,
    firstIndex: number,
    threads: number,
    async?: boolean,
    into?: object,
  ): { image: Float32Array; labels: Uint16Array; distance: Float32Array; border: Float32Array } | Promise<{ image: Float32Array; labels: Uint16Array; distance: Float32Array; border: Float32Array }>;
  pasteInstances(boxes: Float32Array, scores: Float32Array, masks: Float32Array, maskSize: number, width: number, height: number, scoreThreshold: number, maskThreshold: number): { labels: Out<Uint32Array>; count: number };
  mergeTileInstances(canvas: NativeImage, tile: NativeImage, x0: number, y0: number, nextId: number, minOverlap: number): number;
  watershed(elevation: NativeImage, markers: NativeImage, mask: NativeImage | null, connectivity: number, lines: boolean, out?: NativeImage): Out<Uint32Array>;
}

// tsc fails here when the interface declares a function the table lacks or the reverse.
type SameNames<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Assert<T extends true> = T;
export type AddonInterfaceMatchesTable = Assert<SameNames<keyof Addon, AddonFunction>>;

let cached: Addon | undefined;

/** Which addon binary loads: NUCSEG_ADDON, else node-gyp-build's choice (build/Release, then prebuilds/<platform>-<arch>/). */
export interface AddonFile {
  path: string;
  kind: 'prebuilt' | 'built from source' | 'NUCSEG_ADDON';
}

export function addonFile(): AddonFile {
  const explicit = process.env.NUCSEG_ADDON;
  if (explicit) return { path: explicit, kind: 'NUCSEG_ADDON' };
  const path = (require('node-gyp-build') as { path(dir: string): string }).path(packageRoot());
  return { path, kind: path.split(sep).includes('prebuilds') ? 'prebuilt' : 'built from source' };
}

/**
 * An image argument { data, width, height } as a plain object, its properties read here,
 * once, before the call: a binding takes a pointer into one image and then reads the next
 * argument's properties, so a getter there (user code) could otherwise detach or free the
 * first image's memory while the kernel holds a pointer into it.
 */
function plainImage(a: unknown): unknown {
  if (a === null || typeof a !== 'object' || ArrayBuffer.isView(a) || Array.isArray(a) || !('data' in a)) return a;
  const o = a as { data: unknown; width: unknown; height: unknown };
  return { ...o, data: o.data, width: o.width, height: o.height };
}

export function addon(): Addon {
  if (cached) return cached;
  try {
    const native = require(addonFile().path) as Record<string, (...args: unknown[]) => unknown>;
    const plain: Record<string, (...args: unknown[]) => unknown> = {};
    for (const name of Object.keys(native)) plain[name] = (...args) => native[name](...args.map(plainImage));
    cached = plain as unknown as Addon;
  } catch (e) {
    throw new Error(
      `nucseg: the native addon is not built or does not load (${(e as Error).message}). ` +
        'Run `npm install` (or `npm run build:native`) in the nucseg package.',
    );
  }
  return cached;
}
