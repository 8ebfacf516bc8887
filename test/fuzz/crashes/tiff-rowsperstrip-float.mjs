// Reproducer (Jazzer.js target decode-image, finding "tiff-rowsperstrip-float"): a 16 x 16
// 8-bit uncompressed TIFF (464 bytes) whose RowsPerStrip tag is stored as a FLOAT (type 11)
// holding 5.6e-44. Neither the structure guard (lib/image/tiff-guard.ts) nor the per-page
// checks (lib/image/tiff-pages.ts checkTiffPage: size, samples, bits, format, compression, strip
// table bounds) look at RowsPerStrip; geotiff.js then works with strips 5.6e-44 rows high and
// readImage loops synchronously, growing the JS heap until V8 aborts the whole process
// ("FATAL ERROR: ... JavaScript heap out of memory", about 60 s and 4 GB here) instead of
// throwing a NucsegError. The fuzzer's input (decode-image.tiff-rowsperstrip-float: 48 x 40,
// LZW with a predictor) does the same.
// Run: node test/fuzz/crashes/tiff-rowsperstrip-float.mjs   (after npx tsc -p tsconfig.json)
// The decode runs in a child node with a 256 MB heap, so the bug shows in seconds: exit 1 and
// "child died" before a fix, the NucsegError's message after.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const path = fileURLToPath(new URL('./tiff-rowsperstrip-float.tif', import.meta.url));
const read = new URL('../../../dist/lib/image/read.js', import.meta.url).href;
const code = `import(${JSON.stringify(read)}).then(({ readImage }) => readImage(${JSON.stringify(path)}))
  .then((im) => console.log('decoded', im.width, 'x', im.height), (e) => console.log('rejected:', e.constructor.name + ':', e.message));`;
const t = Date.now();
const r = spawnSync(process.execPath, ['--max-old-space-size=256', '-e', code], { encoding: 'utf8' });
if (r.status === 0) console.log(r.stdout.trim());
else {
  console.log(`child died after ${Date.now() - t} ms (status ${r.status}, signal ${r.signal}): ${(r.stderr.match(/FATAL ERROR[^\n]*/) ?? [r.stderr.slice(0, 200)])[0]}`);
  process.exitCode = 1;
}
