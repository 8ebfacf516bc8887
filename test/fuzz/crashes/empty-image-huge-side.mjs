// Reproducer (native targets fuzz_kernels and fuzz_instances, finding "empty-image-huge-side"):
// an empty image may have a huge other side: checkImage (lib/kernels/check.ts) and the
// binding's image_arg (native/napi/convert.hpp) accept { data: new Uint32Array(0), width: 0,
// height: 2 ** 53 - 1 } because 0 * h === 0. Kernels that loop over the rows before looking
// at the pixel count then spin ~2^53 times: native/src/distance.cpp normalized_distance (the
// fill loop before `if (labels.empty()) return`) and native/src/instances.cpp
// merge_tile_instances (canvas and tile 0 x 2^53). A hang, not a crash.
// Run: node test/fuzz/crashes/empty-image-huge-side.mjs   (after npx tsc -p tsconfig.json)
// Each call runs in a child node with a 10 s limit: "timed out" before a fix.
import { spawnSync } from 'node:child_process';

const calls = {
  normalizedDistance: `const { normalizedDistance } = await import(${JSON.stringify(new URL('../../../dist/lib/kernels/distance.js', import.meta.url).href)});
    normalizedDistance({ data: new Uint32Array(0), width: 0, height: 2 ** 53 - 1 });`,
  mergeTileInstances: `const { mergeTileInstances } = await import(${JSON.stringify(new URL('../../../dist/lib/kernels/instances.js', import.meta.url).href)});
    const e = { data: new Uint32Array(0), width: 0, height: 2 ** 53 - 1 };
    mergeTileInstances(e, { ...e }, 0, 0, 1);`,
};
for (const [name, body] of Object.entries(calls)) {
  const code = `try { ${body} console.log('returned'); } catch (e) { console.log('rejected:', e.constructor.name + ':', e.message); }`;
  const t = Date.now();
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', code], { encoding: 'utf8', timeout: 10_000 });
  console.log(`${name}: ${r.error?.code === 'ETIMEDOUT' || r.signal ? `timed out after ${Date.now() - t} ms` : r.stdout.trim() || r.stderr.trim().slice(0, 200)}`);
  if (r.signal) process.exitCode = 1;
}
