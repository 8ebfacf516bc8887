import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

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

/** A run's summary.csv rows without the seconds column (timings differ between runs of the same images). */
export function summaryRows(out: string): string[] {
  const lines = readFileSync(join(out, 'summary.csv'), 'utf8').trim().split('\n');
  const seconds = lines[0].split(',').indexOf('seconds');
  return lines.map((l) => l.split(',').filter((_, i) => i !== seconds).join(','));
}
