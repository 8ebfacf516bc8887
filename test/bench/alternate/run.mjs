#!/usr/bin/env node
// The kernel goals of issue 14 measured against their peers in alternation, so that
// both sides see the same machine load: per round, nucseg through the public API (this
// process), then the peer (OpenCV C++ from ../shared/bench/bench_opencv.cpp's own code, or
// scikit-image), each a median of >= 7 samples; prints each round's ratio and the median
// ratio. Ratio > 1 = nucseg faster. 1 thread on both sides.
//   node test/bench/alternate/run.mjs [--rounds 5] [--runs 7]
// Needs the bench inputs (npm run bench makes them), libopencv-dev and /usr/bin/python3
// with scikit-image (../shared/bench/README.md).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { kernels as K } from '../../../dist/lib/index.js';
import { median, PYTHON, time } from '../harness.mjs';
import { readNpy } from '../npy.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '..', '..', '..');
const shared = process.env.NUCSEG_SHARED ?? resolve(repo, '..', 'shared');
const inputs = resolve(process.env.NUCSEG_BENCH_INPUTS ?? join(repo, 'bench-inputs'));
const argv = process.argv.slice(2);
const opt = (name, d) => (argv.includes(name) ? Number(argv[argv.indexOf(name) + 1]) : d);
const rounds = opt('--rounds', 5), runs = opt('--runs', 7);

const outDir = join(repo, 'bench-out');
mkdirSync(outDir, { recursive: true });
const exe = join(outDir, 'alternate_peer_opencv');
if (!existsSync(exe)) {
  const cflags = execFileSync('pkg-config', ['--cflags', 'opencv4']).toString().trim().split(/\s+/);
  execFileSync('g++', ['-O3', '-std=c++17', `-DBENCH_OPENCV_CPP="${join(shared, 'bench', 'bench_opencv.cpp')}"`, join(here, 'peer_opencv.cpp'), '-o', exe, ...cflags, '-lopencv_imgproc', '-lopencv_core'], { stdio: 'inherit' });
}
const peer = (cmd, args) => execFileSync(cmd, args).toString().trim().split(/\s+/).slice(1).map(Number);

const gray = readNpy(join(inputs, 'real2048_gray8.npy'));
const mk = readNpy(join(inputs, 'real2048_markers.npy'));
const gt = readNpy(join(inputs, 'real2048_gt.npy'));
const { width: w, height: h } = gray;
const markers = { data: Uint32Array.from(mk.data), width: w, height: h };
const elev8 = { data: Uint8Array.from(gray.data, (v) => 255 - v), width: w, height: h };
// the float masked watershed's inputs, precomputed as skimage's are (its mask is a bool array)
const nd = K.normalizedDistance(gt);
const seeds = { data: Uint32Array.from(gt.data, (v, i) => (nd.data[i] >= 0.6 ? v : 0)), width: w, height: h };
const elevF = { data: Float32Array.from(nd.data, (v) => -v), width: w, height: h };
const mask = { data: Uint8Array.from(gt.data, (v) => (v ? 1 : 0)), width: w, height: h };
const out = K.watershed(elev8, markers);
const bin = readNpy(join(inputs, 'real2048_mask.npy'));
const mask8 = { data: Uint8Array.from(bin.data, (v) => (v ? 1 : 0)), width: w, height: h };
const ndOut = { data: new Float32Array(w * h), width: w, height: h };
const bbOut = { data: new Float32Array(w * h), width: w, height: h };
const targets = (o) => () =>
  time(() => K.normalizedDistance(gt, { threads: 1, out: o ? ndOut : undefined }), { runs }).median_ms +
  time(() => K.blurredBorder(gt, { threads: 1, out: o ? bbOut : undefined }), { runs }).median_ms;

const goals = [
  { name: 'watershed uint8 (new output)', goal: '>= 1.0x OpenCV', need: 1, ours: () => K.watershed(elev8, markers), peer: () => peer(exe, [inputs, 'ws', String(runs)])[0] },
  { name: 'watershed uint8 (out reused)', goal: '>= 1.0x OpenCV', need: 1, ours: () => K.watershed(elev8, markers, { out }), peer: () => peer(exe, [inputs, 'ws', String(runs)])[0] },
  { name: 'watershed float32 masked (new output)', goal: '>= 10x scikit-image', need: 10, ours: () => K.watershed(elevF, seeds, { mask }), peer: () => peer(PYTHON, [join(here, 'peer_skimage.py'), inputs, String(runs)])[0] },
  { name: 'watershed float32 masked (out reused)', goal: '>= 10x scikit-image', need: 10, ours: () => K.watershed(elevF, seeds, { mask, out }), peer: () => peer(PYTHON, [join(here, 'peer_skimage.py'), inputs, String(runs)])[0] },
  { name: 'connectedComponents 8-conn (new output)', goal: '<= 1.3x OpenCV time', need: 1 / 1.3, ours: () => K.connectedComponents(mask8, { threads: 1 }), peer: () => peer(exe, [inputs, 'cc8', String(runs)])[0] },
  { name: 'connectedComponents 8-conn (out reused)', goal: '<= 1.3x OpenCV time', need: 1 / 1.3, ours: () => K.connectedComponents(mask8, { threads: 1, out }), peer: () => peer(exe, [inputs, 'cc8', String(runs)])[0] },
  { name: 'normalizedDistance + blurredBorder (new outputs)', goal: '>= 2x OpenCV per-object loop', need: 2, run: targets(false), peer: () => peer(exe, [inputs, 'targets', String(runs)])[0] },
  { name: 'normalizedDistance + blurredBorder (out reused)', goal: '>= 2x OpenCV per-object loop', need: 2, run: targets(true), peer: () => peer(exe, [inputs, 'targets', String(runs)])[0] },
];
console.log(`alternating rounds: ${rounds}, samples per side: ${runs}, 1 thread`);
const lines = ['| kernel | ours (ms, median of rounds) | peer (ms) | peer / ours per round | median ratio | goal | met |', '|---|---:|---:|---|---:|---|---|'];
for (const g of goals) {
  const o = [], p = [], r = [];
  for (let i = 0; i < rounds; i++) {
    o.push(g.run ? g.run() : time(g.ours, { runs }).median_ms);
    p.push(g.peer());
    r.push(p[i] / o[i]);
  }
  const m = median(r);
  lines.push(`| ${g.name} | ${median(o).toFixed(1)} | ${median(p).toFixed(1)} | ${r.map((x) => x.toFixed(2)).join(' ')} | ${m.toFixed(2)}x | ${g.goal} | ${m >= g.need ? 'yes' : 'NO'} |`);
  console.log(lines[lines.length - 1]);
}
console.log(`\n${lines.join('\n')}`);
