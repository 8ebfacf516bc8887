import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let root: string | undefined;

/**
 * The nucseg package folder (holding package.json, models-onnx/, build/): found once by
 * walking up from this file, which lives in lib/util (tests on sources) or dist/lib/util.
 */
export function packageRoot(): string {
  if (root) return root;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++, dir = dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string };
      if (pkg.name === 'nucseg') return (root = dir);
    } catch {
      // keep walking up
    }
  }
  throw new Error('nucseg: cannot find the package root (package.json of nucseg)');
}

/** A path inside the package. */
export function packagePath(...parts: string[]): string {
  return join(packageRoot(), ...parts);
}
