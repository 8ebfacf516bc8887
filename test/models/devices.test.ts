import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';

// autoDeviceOrder() decides from the filesystem (device nodes, onnxruntime-node's provider
// libraries) and the platform. Here the filesystem it sees is a fake one, so each case states
// an environment and the device list expected for it, written out by hand.
const fake = vi.hoisted(() => ({ on: false, files: new Set<string>(), dirs: new Map<string, string[]>() }));

vi.mock('node:fs', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs')>();
  const existsSync = (p: import('node:fs').PathLike) => (fake.on ? fake.files.has(String(p)) || fake.dirs.has(String(p)) : real.existsSync(p));
  const readdirSync = ((p: import('node:fs').PathLike, ...rest: unknown[]) => {
    if (!fake.on) return (real.readdirSync as (...a: unknown[]) => unknown)(p, ...rest);
    const d = fake.dirs.get(String(p));
    if (!d) throw Object.assign(new Error(`ENOENT: no such file or directory, scandir '${String(p)}'`), { code: 'ENOENT' });
    return d;
  }) as typeof real.readdirSync;
  return { ...real, existsSync, readdirSync, default: { ...real, existsSync, readdirSync } };
});

const { autoDeviceOrder, cudaProviderInstalled, gpuVisible } = await import('../../lib/models/onnx.js');

/** Where onnxruntime-node keeps its native libraries for a platform (its package layout: bin/napi-v6/<platform>/<arch>). */
const ortPackage = dirname(createRequire(import.meta.url).resolve('onnxruntime-node/package.json'));
const ortBin = (platform: string) => join(ortPackage, 'bin', 'napi-v6', platform, process.arch);
const CUDA_SO = join(ortBin('linux'), 'libonnxruntime_providers_cuda.so');

function environment(platform: NodeJS.Platform, files: string[], dirs: Record<string, string[]> = {}) {
  fake.on = true;
  fake.files = new Set(files);
  fake.dirs = new Map(Object.entries(dirs));
  vi.spyOn(process, 'platform', 'get').mockReturnValue(platform);
}

afterEach(() => {
  fake.on = false;
  vi.restoreAllMocks();
});

describe("autoDeviceOrder: the devices 'auto' tries in given environments", () => {
  const cases: [string, NodeJS.Platform, string[], Record<string, string[]>, string[]][] = [
    ['Linux, no GPU, no CUDA provider', 'linux', [], {}, ['cpu']],
    ['Linux, no GPU, CUDA provider installed', 'linux', [CUDA_SO], {}, ['cpu']],
    ['Linux, /dev/dri with only a card node (no render node)', 'linux', [], { '/dev/dri': ['card0', 'by-path'] }, ['cpu']],
    ['Linux, a DRM render node, no CUDA provider', 'linux', [], { '/dev/dri': ['card0', 'renderD128'] }, ['webgpu', 'cpu']],
    ['Linux, an NVIDIA device node, no CUDA provider', 'linux', ['/dev/nvidia0'], {}, ['webgpu', 'cpu']],
    ['Linux, an NVIDIA device node and the CUDA provider', 'linux', ['/dev/nvidia0', CUDA_SO], {}, ['cuda', 'webgpu', 'cpu']],
    ['Linux, a render node and the CUDA provider', 'linux', [CUDA_SO], { '/dev/dri': ['renderD129'] }, ['cuda', 'webgpu', 'cpu']],
    ['Linux, the CUDA provider under another name is not it', 'linux', ['/dev/nvidia0', CUDA_SO + '.bak'], {}, ['webgpu', 'cpu']],
    ['Windows, no CUDA provider (a GPU is assumed)', 'win32', [], {}, ['webgpu', 'cpu']],
    ['Windows, the CUDA provider DLL', 'win32', [join(ortBin('win32'), 'onnxruntime_providers_cuda.dll')], {}, ['cuda', 'webgpu', 'cpu']],
  ];
  for (const [what, platform, files, dirs, expected] of cases)
    it(what, () => {
      environment(platform, files, dirs);
      expect(autoDeviceOrder()).toEqual(expected);
    });

  it('the probes themselves, in one environment', () => {
    environment('linux', [CUDA_SO], { '/dev/dri': ['renderD128'] });
    expect([gpuVisible(), cudaProviderInstalled()]).toEqual([true, true]);
    environment('linux', [], { '/dev/dri': ['card1'] });
    expect([gpuVisible(), cudaProviderInstalled()]).toEqual([false, false]);
  });
});
