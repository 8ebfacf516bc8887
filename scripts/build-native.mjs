#!/usr/bin/env node
// Builds the native addon at `npm install` time unless a prebuilt binary for this
// platform loads (prebuilds/<platform>-<arch>/, the prebuildify / node-gyp-build layout).
//   --force                 always build from source
//   NUCSEG_CUDA=ON|OFF|AUTO  CUDA kernels (AUTO: when nvcc is found)
//   NUCSEG_SANITIZE=1        ASan + UBSan build (for tests; run node with LD_PRELOAD=libasan)
//   NUCSEG_BUILD_DIR=dir     build folder (default build/)
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const force = process.argv.includes('--force') || process.env.NUCSEG_BUILD_FROM_SOURCE === '1';

if (!force) {
  try {
    const load = require('node-gyp-build');
    const dir = join(root, 'prebuilds', `${process.platform}-${process.arch}`);
    if (existsSync(dir)) {
      load(root);
      console.log(`nucseg: using prebuilt native addon from ${dir}`);
      process.exit(0);
    }
  } catch {
    // no usable prebuild: build from source below
  }
}

// Without a toolchain cmake-js fails with pages of output: say in one line what is missing.
const onPath = (cmd) => (process.env.PATH ?? '').split(delimiter).some((d) => d && existsSync(join(d, cmd)));
const missing = [];
if (!onPath('cmake')) missing.push('cmake (>= 3.18)');
if (!(process.env.CXX || ['c++', 'g++', 'clang++'].some(onPath))) missing.push('a C++17 compiler (g++ or clang++)');
if (missing.length) {
  const why = force ? 'building the native addon from source' : `no prebuilt native addon for ${process.platform}-${process.arch} loads here, and building one`;
  console.error(`nucseg: ${why} needs ${missing.join(' and ')} (Debian/Ubuntu: apt-get install cmake g++), then npm rebuild nucseg`);
  process.exit(1);
}

const cmakeJs = join(dirname(require.resolve('cmake-js/package.json')), 'bin', 'cmake-js');
const args = [cmakeJs, 'compile', '--directory', root];
const out = process.env.NUCSEG_BUILD_DIR;
if (out) args.push('--out', out);
args.push(`--CDNUCSEG_CUDA=${process.env.NUCSEG_CUDA ?? 'AUTO'}`);
if (process.env.NUCSEG_SANITIZE === '1') args.push('--CDNUCSEG_SANITIZE=ON', '--debug');
if (process.env.NUCSEG_CUDA_ARCHS) args.push(`--CDNUCSEG_CUDA_ARCHS=${process.env.NUCSEG_CUDA_ARCHS}`);
const jobs = process.env.CMAKE_BUILD_PARALLEL_LEVEL ?? String(Math.max(2, (await import('node:os')).availableParallelism()));
console.log(`nucseg: building native addon from source (cmake-js, ${jobs} jobs)`);
const r = spawnSync(process.execPath, args, {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, CMAKE_BUILD_PARALLEL_LEVEL: jobs },
});
if (r.status !== 0) {
  console.error('nucseg: native build failed. It needs cmake >= 3.18 and a C++17 compiler (g++ or clang).');
  console.error('        Set NUCSEG_CUDA=OFF to skip the CUDA kernels if nvcc is the problem.');
  process.exit(r.status ?? 1);
}
