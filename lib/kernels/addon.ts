// Loads the native addon once: a prebuilt binary from prebuilds/<platform>-<arch>/ when
// present, else the one `npm install` built into build/Release (node-gyp-build's rules).
// NUCSEG_ADDON=path loads a specific build (the ASan build in CI, for instance).
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);

/** Package root: dist/lib/kernels -> ../../.. ; lib/kernels (vitest on sources) -> ../.. */
function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    try {
      const pkg = require(join(dir, 'package.json')) as { name?: string };
      if (pkg.name === 'nucseg') return dir;
    } catch {
      // keep walking up
    }
    dir = dirname(dir);
  }
  throw new Error('nucseg: cannot find the package root to load the native addon');
}

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

/** The raw addon surface. Only lib/kernels/* call it; everything else uses the wrappers. */
export interface Addon {
  backends(): NativeBackends;
  labelOverlap(gt: NativeImage, pred: NativeImage, threads?: number): NativeOverlap;
}

let cached: Addon | undefined;

export function addon(): Addon {
  if (cached) return cached;
  const explicit = process.env.NUCSEG_ADDON;
  if (explicit) {
    cached = require(explicit) as Addon;
  } else {
    const load = require('node-gyp-build') as (dir: string) => Addon;
    try {
      cached = load(packageRoot());
    } catch (e) {
      throw new Error(
        `nucseg: the native addon is not built or does not load (${(e as Error).message}). ` +
          'Run `npm install` (or `npm run build:native`) in the nucseg package.',
      );
    }
  }
  return cached;
}
