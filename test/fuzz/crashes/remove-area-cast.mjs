// Reproducer (native target fuzz_kernels, finding "remove-area-cast"): removeSmallObjects /
// removeLargeObjects (lib/kernels/components.ts) accept any minArea >= 0 / maxArea >= 1,
// Infinity and 1e30 included, and the binding (native/napi/components.cpp RemoveByArea)
// converts it with static_cast<uint64_t>(std::max(0.0, x)): UB for values past 2^64. On x86
// the result is not "every object is smaller than Infinity".
// Run: node test/fuzz/crashes/remove-area-cast.mjs   (after npx tsc -p tsconfig.json)
import { removeLargeObjects, removeSmallObjects } from '../../../dist/lib/kernels/components.js';

const labels = { data: new Uint16Array([1, 1, 0, 2, 2, 2, 0, 3, 0]), width: 3, height: 3 };
const left = (im) => [...new Set(im.data)].filter((v) => v).join(',') || 'none';
for (const a of [1e6, 1e30, Infinity]) {
  console.log(`removeSmallObjects(minArea ${a}): labels left ${left(removeSmallObjects(labels, a))} (expected none)`);
  console.log(`removeLargeObjects(maxArea ${a}): labels left ${left(removeLargeObjects(labels, a))} (expected 1,2,3)`);
}
