import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readLabels } from '../../lib/image/read.js';
import { BBBC039, REPO } from '../helpers/data.js';
import { tempDir } from '../helpers/tools.js';

// Issue 19: `npm install nucseg` from the packed tarball on a machine with Node and nothing
// else. PATH holds only node, npm, npx and sh — no cmake, g++, gcc, cc, make, ninja or nvcc —
// and the install downloads nothing outside the npm registry (dependencies come from npm's
// cache when it has them). Runs the installed CLI on a real BBBC039 field and compares its
// labels with the repo build's.
const FIELD = readdirSync(join(BBBC039, 'images')).sort()[0];
let work: string;
let tarball: string;
let packed: string[]; // the tarball's file list, as npm pack reported it
let bare: Record<string, string>;

function sh(cmd: string, args: string[], cwd: string, env: Record<string, string>) {
  return spawnSync(cmd, args, { cwd, env, encoding: 'utf8', maxBuffer: 64 << 20 });
}

function project(name: string): string {
  const dir = join(work, name);
  mkdirSync(dir);
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: `t-${name}`, private: true }));
  return dir;
}

beforeAll(() => {
  work = tempDir('nucseg-pkg-');
  // the tarball's prebuild: the addon npm test already built (prepack builds its own)
  execFileSync(process.execPath, [join(REPO, 'scripts', 'prebuild.mjs'), '--from', join(REPO, 'build', 'Release', 'nucseg.node')], { stdio: 'pipe' });
  const out = execFileSync('npm', ['pack', '--ignore-scripts', '--pack-destination', work, '--json'], { cwd: REPO, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const report = (JSON.parse(out) as { filename: string; files: { path: string }[] }[])[0];
  tarball = join(work, report.filename);
  packed = report.files.map((f) => f.path);
  const bin = join(work, 'bin');
  mkdirSync(bin);
  for (const tool of ['node', 'npm', 'npx', 'sh']) {
    const which = execFileSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).trim();
    symlinkSync(which, join(bin, tool));
  }
  bare = { PATH: bin, HOME: process.env.HOME ?? '/root', npm_config_update_notifier: 'false' };
}, 120_000);

describe('npm package (issue 19)', () => {
  it('ships only what users need: prebuilt addon, dist, models; no tests, fuzzers or dev scripts', () => {
    const files = packed;
    expect(files).toContain('prebuilds/linux-x64/nucseg.napi.glibc.node');
    expect(files).toContain('models-onnx/nuclei-fpn2ws-dsb.onnx');
    expect(files).toContain('dist/lib/index.js');
    expect(files).toContain('scripts/build-native.mjs'); // the source-build fallback
    expect(files.filter((f) => /^(test|native\/(test|fuzz|bench))\/|^scripts\/(fuzz|device|test-)/.test(f))).toEqual([]);
  });

  it('installs with --ignore-scripts and no C++ toolchain; segments and scores a real field as the repo build does', async () => {
    const dir = project('noscripts');
    const inst = sh('npm', ['install', '--prefer-offline', '--ignore-scripts', '--no-audit', '--no-fund', tarball], dir, bare);
    expect(inst.status, inst.stderr).toBe(0);
    const cli = join(dir, 'node_modules', '.bin', 'nucseg');
    const seg = sh(cli, ['segment', join(BBBC039, 'images', FIELD), '--out', 'r'], dir, bare);
    expect(seg.status, seg.stderr).toBe(0);
    const info = JSON.parse(sh(cli, ['info', '--json'], dir, bare).stdout) as { addon: { kind: string; path: string } };
    expect(info.addon.kind).toBe('prebuilt');
    expect(info.addon.path).toContain(join('node_modules', 'nucseg', 'prebuilds'));
    const score = sh(cli, ['score', '--gt', join(BBBC039, 'labels', FIELD), '--pred', join('r', FIELD.replace(/\.tif$/, '.labels.tif'))], dir, bare);
    expect(score.status, score.stderr).toBe(0);
    expect(score.stdout).toMatch(/F1/);
    // the repo's own build on the same field: identical labels
    const ref = join(work, 'ref');
    expect(spawnSync(process.execPath, [join(REPO, 'bin', 'nucseg.js'), 'segment', join(BBBC039, 'images', FIELD), '--out', ref], { encoding: 'utf8' }).status).toBe(0);
    const name = FIELD.replace(/\.tif$/, '.labels.tif');
    const [a, b] = await Promise.all([readLabels(join(dir, 'r', name)), readLabels(join(ref, name))]);
    expect(a.width).toBe(b.width);
    expect(Buffer.compare(Buffer.from(a.data.buffer), Buffer.from(b.data.buffer))).toBe(0);
  }, 180_000);

  it('installs with its scripts (onnxruntime-node told to skip its download): uses the prebuilt addon', () => {
    const dir = project('scripts');
    const inst = sh('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--foreground-scripts', tarball], dir, { ...bare, ONNXRUNTIME_NODE_INSTALL: 'skip' });
    expect(inst.status, inst.stderr).toBe(0);
    expect(inst.stdout + inst.stderr).toContain('nucseg: using prebuilt native addon');
  }, 180_000);

  it('a tarball without a prebuild, on a machine without a toolchain: the install fails with one line saying what to install', () => {
    const x = join(work, 'x');
    mkdirSync(x);
    execFileSync('tar', ['-xzf', tarball, '-C', x]);
    execFileSync('rm', ['-rf', join(x, 'package', 'prebuilds')]);
    const noPrebuild = join(work, 'no-prebuild.tgz');
    execFileSync('tar', ['-czf', noPrebuild, '-C', x, 'package']);
    const dir = project('fallback');
    const inst = sh('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--foreground-scripts', noPrebuild], dir, { ...bare, ONNXRUNTIME_NODE_INSTALL: 'skip' });
    expect(inst.status).not.toBe(0);
    const ours = (inst.stdout + inst.stderr).split('\n').filter((l) => l.startsWith('nucseg:'));
    expect(ours).toEqual(['nucseg: no prebuilt native addon for linux-x64 loads here, and building one needs cmake (>= 3.18) and a C++17 compiler (g++ or clang++) (Debian/Ubuntu: apt-get install cmake g++), then npm rebuild nucseg']);
  }, 180_000);
});
