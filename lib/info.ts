import { addon, addonFile, type AddonFile, type NativeBackends } from './kernels/addon.js';
import { cudaProviderInstalled } from './models/onnx.js';
import { VERSION } from './version.js';

/** What this installation can run on. */
export interface NucsegInfo {
  version: string;
  node: string;
  platform: string;
  native: NativeBackends;
  /** The native addon loaded: a prebuilt binary shipped in the package, one built from source at install, or NUCSEG_ADDON. */
  addon: AddonFile;
  /** Compute backends usable now, best first: 'cuda' when compiled and a GPU is present, then 'cpu'. */
  kernelBackends: ('cuda' | 'cpu')[];
  /** cudaProvider: onnxruntime-node's CUDA provider libraries are installed (see the README's GPU section). */
  onnxruntime: { version: string | null; error?: string; cudaProvider: boolean };
}

/**
 * Reports nucseg's version and which backends the native addon has: CPU threads and SIMD
 * level, whether CUDA kernels were compiled and whether a GPU is usable right now, which
 * addon binary was loaded (prebuilt or built from source), and whether ONNX Runtime has its
 * CUDA provider.
 */
export async function info(): Promise<NucsegInfo> {
  const native = addon().backends();
  let onnxruntime: NucsegInfo['onnxruntime'];
  try {
    const ort = (await import('onnxruntime-node')) as unknown as { env: { versions?: { node?: string; common?: string } } };
    onnxruntime = { version: ort.env.versions?.node ?? ort.env.versions?.common ?? 'unknown', cudaProvider: cudaProviderInstalled() };
  } catch (e) {
    onnxruntime = { version: null, error: (e as Error).message.split('\n')[0], cudaProvider: false };
  }
  return {
    version: VERSION,
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    native,
    addon: addonFile(),
    kernelBackends: native.cuda.devices > 0 ? ['cuda', 'cpu'] : ['cpu'],
    onnxruntime,
  };
}
