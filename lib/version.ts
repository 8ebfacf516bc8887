import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
function readVersion(): string {
  for (const p of ['../package.json', '../../package.json']) {
    try {
      const pkg = require(p) as { name?: string; version?: string };
      if (pkg.name === 'nucseg' && pkg.version) return pkg.version;
    } catch {
      // try the next location (sources vs dist)
    }
  }
  return '0.0.0';
}

/** nucseg's version, from package.json. */
export const VERSION: string = readVersion();
