import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO } from './helpers/data.js';

// Dependencies between lib/ folders go one way (issue 13): a folder imports only from lower
// layers. cli -> augment / train -> segment / score -> models -> image, kernels -> util; image
// and kernels share a layer, so neither imports the other (the image types in
// lib/image/types.ts are data shapes every layer may name).
const LAYER: Record<string, number> = { util: 0, kernels: 1, image: 1, models: 2, annotations: 2, html: 2, bioimageio: 4, segment: 3, score: 3, augment: 4, train: 4, experiment: 4, cli: 5 };

function imports(): { from: string; to: string; file: string }[] {
  const out: { from: string; to: string; file: string }[] = [];
  const lib = join(REPO, 'lib');
  // every .ts file below lib/<folder>/, subfolders included; imports resolved from the file
  const walk = (dir: string): string[] => readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
  for (const dir of readdirSync(lib, { withFileTypes: true })) {
    if (!dir.isDirectory()) continue;
    for (const path of walk(join(lib, dir.name))) {
      const src = readFileSync(path, 'utf8');
      for (const m of src.matchAll(/(?:from|import\()\s*'(\.{1,2}\/[^']+)\.js'/g)) {
        const target = relative(lib, resolve(dirname(path), m[1])).split(sep);
        if (target.length < 2 || target[0] === dir.name) continue; // lib/index.ts-level files, or the same folder
        if (target[0] === 'image' && target[1] === 'types') continue;
        out.push({ from: dir.name, to: target[0], file: relative(lib, path).split(sep).join('/') });
      }
    }
  }
  return out;
}

describe('lib/ layering', () => {
  it('every import between lib/ folders goes down the layers (no cycles, no reverse edges)', () => {
    const all = imports();
    expect(all.length).toBeGreaterThan(50); // the scan sees the imports
    const folders = new Set(readdirSync(join(REPO, 'lib'), { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name));
    for (const f of folders) expect(LAYER[f], `lib/${f} has no layer`).toBeDefined();
    const bad = all.filter((e) => !(LAYER[e.to] < LAYER[e.from]));
    expect(bad.map((e) => `${e.file} imports ../${e.to}/`)).toEqual([]);
  });
});
