// Reproducer (fuzz_instances, finding "merge-offset-overflow"): native/src/instances.cpp,
// merge_tile_instances(): the bounds check `x0 + tile.width > canvas.width` is computed in
// int64 and overflows (UB) for x0 near INT64_MAX; the wrapped, negative sum passes the check
// and the kernel then reads and writes canvas.row(y0 + y) + x0, far outside the canvas.
// Reachable through the public wrapper (lib/kernels/instances.ts mergeTileInstances checks
// only minOverlap; the binding passes x0 through ToNumber().Int64Value()).
// Run: node test/fuzz/crashes/merge-offset-overflow.mjs   (after npx tsc -p tsconfig.json)
// Before a fix: the process dies (SIGSEGV). After: a NucsegError/RangeError saying the tile
// does not fit.
import { mergeTileInstances } from '../../../dist/lib/kernels/instances.js';

const canvas = { data: new Uint32Array(4 * 4), width: 4, height: 4 };
const tile = { data: new Uint32Array(1025).fill(1), width: 1025, height: 1 };
const x0 = 2 ** 63 - 1024; // exactly 9223372036854774784 as a double and as an int64
try {
  const next = mergeTileInstances(canvas, tile, x0, 0, 1, 0.5);
  console.log('returned', next, '(no error: the tile was accepted at x0 =', x0, ')');
} catch (e) {
  console.log('rejected:', e.constructor.name, e.message);
}
