#!/usr/bin/env node
// `npm run bench`: times nucseg's kernels and pipelines next to the peers of
// ../shared/bench (OpenCV, scikit-image, SciPy, NumPy) on the same inputs in the same run,
// and prints ratios. Absolute times are only context: the VM is noisy.
//   --only score,...   suites to run (default: all)     --quick   2048² inputs only
//   --no-peers         reuse bench-out/results*.json instead of rerunning the peers
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureInputs, readPeers, runPeers } from './harness.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '..', '..');
const shared = process.env.NUCSEG_SHARED ?? resolve(repo, '..', 'shared');
const inputs = resolve(process.env.NUCSEG_BENCH_INPUTS ?? join(repo, 'bench-inputs'));
const out = resolve(join(repo, 'bench-out'));
const argv = process.argv.slice(2);
const only = argv.includes('--only') ? argv[argv.indexOf('--only') + 1].split(',') : undefined;
const quick = argv.includes('--quick');
const noPeers = argv.includes('--no-peers');

mkdirSync(out, { recursive: true });
ensureInputs(shared, inputs);

const suites = [];
for (const f of readdirSync(join(here, 'suites')).sort()) {
  const name = f.replace(/\.mjs$/, '');
  if (only && !only.includes(name)) continue;
  suites.push({ name, mod: await import(join(here, 'suites', f)) });
}
const ops = [...new Set(suites.flatMap((s) => s.mod.ops ?? []))];
const peers = noPeers || ops.length === 0 ? readPeers(out) : runPeers(shared, inputs, out, ops, { quick });

const rows = [];
for (const s of suites) {
  console.log(`timing nucseg: ${s.name}`);
  rows.push(...(await s.mod.run({ inputs, peers, quick, shared, repo })));
}

const f = (v) => (v === undefined ? '' : v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(3));
const lines = [
  `| kernel | input | ours 1 thread (ms) | ours all threads (ms) | peer | peer threads | peer (ms) | peer / ours 1t | peer / ours all | goal | met |`,
  `|---|---|---:|---:|---|---:|---:|---:|---:|---|---|`,
];
for (const r of rows) {
  const p = r.peer;
  lines.push(
    `| ${r.kernel} | ${r.input} | ${f(r.ours1)} | ${f(r.oursN)} | ${p ? p.peer : '(no peer result)'} | ${p ? p.threads : ''} | ${p ? f(p.median_ms) : ''} | ${p ? (p.median_ms / r.ours1).toFixed(2) + 'x' : ''} | ${p ? (p.median_ms / r.oursN).toFixed(2) + 'x' : ''} | ${r.goal ?? ''} | ${r.pass === undefined ? '' : r.pass ? 'yes' : 'NO'} |`,
  );
}
let commit = 'unknown';
try {
  commit = (await import('node:child_process')).execSync('git rev-parse --short HEAD', { cwd: repo }).toString().trim();
} catch {}
const head = `nucseg bench, commit ${commit}, ${new Date().toISOString()}, node ${process.version}, ${(await import('node:os')).cpus().length} cores. Ratio > 1 = nucseg faster.`;
console.log(`\n${head}\n${lines.join('\n')}`);
writeFileSync(join(out, 'nucseg-bench.md'), `${head}\n\n${lines.join('\n')}\n`);
writeFileSync(join(out, 'nucseg-bench.json'), JSON.stringify({ commit, rows }, null, 2));
console.log(`\nwrote ${join(out, 'nucseg-bench.md')}`);
