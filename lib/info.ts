import { addon, type NativeBackends } from './kernels/addon.js';
import { VERSION } from './version.js';

/** What this installation can run on. */
export interface NucsegInfo {
  version: string;
  node: string;
  platform: string;
  native: NativeBackends;
  /** Compute backends usable now, best first: 'cuda' when compiled and a GPU is present, then 'cpu'. */
  kernelBackends: ('cuda' | 'cpu')[];
  onnxruntime: { version: string | null; error?: string };
}

/**
 * Reports nucseg's version and which backends the native addon has: CPU threads and SIMD
 * level, whether CUDA kernels were compiled and whether a GPU is usable right now.
 */
export async function info(): Promise<NucsegInfo> {
  const native = addon().backends();
  let onnxruntime: NucsegInfo['onnxruntime'];
  try {
    const ort = (await import('onnxruntime-node')) as unknown as { env: { versions?: { node?: string; common?: string } } };
    onnxruntime = { version: ort.env.versions?.node ?? ort.env.versions?.common ?? 'unknown' };
  } catch (e) {
    onnxruntime = { version: null, error: (e as Error).message.split('\n')[0] };
  }
  return {
    version: VERSION,
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    native,
    kernelBackends: native.cuda.devices > 0 ? ['cuda', 'cpu'] : ['cpu'],
    onnxruntime,
  };
}
