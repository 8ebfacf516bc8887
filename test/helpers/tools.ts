import { execFileSync, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { REPO } from './data.js';

/** Debian's python (numpy, tifffile, OpenCV), as the shared bench uses; never the PATH one. */
export const PYTHON = process.env.NUCSEG_TEST_PYTHON ?? '/usr/bin/python3';

export function python(code: string, args: string[] = []): string {
  return execFileSync(PYTHON, ['-c', code, ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });
}

export function tiffcp(args: string[]): void {
  execFileSync('tiffcp', args, { stdio: 'pipe' });
}

export function tempDir(prefix = 'nucseg-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** The built library as an import specifier, for scripts that run in a node of their own. */
export const LIB_URL = pathToFileURL(join(REPO, 'dist', 'lib', 'index.js')).href;

/**
 * Runs an ES module in a fresh node process — its own memory, limits and signals, for what a
 * test must observe from outside (a crash, peak memory, an address-space cap); `code` imports
 * the library from LIB_URL.
 */
export function runNodeScript(code: string, nodeArgs: string[] = []): SpawnSyncReturns<string> {
  const file = join(tempDir('nucseg-script-'), 'script.mjs');
  writeFileSync(file, code);
  return spawnSync(process.execPath, [...nodeArgs, file], { encoding: 'utf8' });
}

/** A run's summary.csv rows without the seconds column (timings differ between runs of the same images). */
export function summaryRows(out: string): string[] {
  const lines = readFileSync(join(out, 'summary.csv'), 'utf8').trim().split('\n');
  const seconds = lines[0].split(',').indexOf('seconds');
  return lines.map((l) => l.split(',').filter((_, i) => i !== seconds).join(','));
}
