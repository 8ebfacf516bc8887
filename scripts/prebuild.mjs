#!/usr/bin/env node
// Builds the prebuilt native addon that ships in the npm tarball (run by `prepack`), in the
// prebuildify / node-gyp-build layout that lib/kernels/addon.ts and scripts/build-native.mjs
// load first: prebuilds/<platform>-<arch>/nucseg.napi.<libc>.node. N-API, so one binary serves
// every Node >= 20 on that platform.
//
// The binary is the CUDA-enabled build when nvcc is found (CUDA runtime linked statically: no
// libcudart to install; on a machine without an NVIDIA driver or GPU it reports no CUDA
// device and runs on the CPU), else the CPU build. NUCSEG_CUDA=OFF forces the CPU build.
// No -march flags: it runs on any x86-64 (or arm64) of its platform.
//   node scripts/prebuild.mjs               build (incrementally, in build-prebuild/) and copy
//   node scripts/prebuild.mjs --from FILE   copy an addon already built (the package test)
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const from = process.argv.includes('--from') ? process.argv[process.argv.indexOf('--from') + 1] : null;
const buildDir = join(root, 'build-prebuild');
if (!from) {
  const r = spawnSync(process.execPath, [join(root, 'scripts', 'build-native.mjs'), '--force'], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, NUCSEG_BUILD_DIR: buildDir, NUCSEG_SANITIZE: '0' },
  });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

// glibc or musl: node-gyp-build picks the binary whose libc tag matches the running Node
const libc = process.platform !== 'linux' ? '' : process.report.getReport().header.glibcVersionRuntime ? '.glibc' : '.musl';
const dir = join(root, 'prebuilds', `${process.platform}-${process.arch}`);
mkdirSync(dir, { recursive: true });
for (const f of readdirSync(dir)) rmSync(join(dir, f)); // one binary per platform: no stale ones
const dest = join(dir, `nucseg.napi${libc}.node`);
copyFileSync(from ?? join(buildDir, 'Release', 'nucseg.node'), dest + '.tmp');
renameSync(dest + '.tmp', dest);
console.log(`nucseg: prebuilt addon ${dest} (${(statSync(dest).size / 1e6).toFixed(1)} MB)`);
