import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
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
