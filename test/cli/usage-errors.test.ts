import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO } from '../helpers/data.js';

const nucseg = (args: string[]) => {
  const r = spawnSync(process.execPath, [join(REPO, 'bin', 'nucseg.js'), ...args], { encoding: 'utf8' });
  return { code: r.status, stderr: r.stderr.trim() };
};

describe('usage errors say what is wrong in one line (issue 12)', () => {
  it('a missing required option is named', () => {
    expect(nucseg(['score', '--gt', 'examples/gt'])).toEqual({ code: 1, stderr: 'nucseg: score: missing --pred (nucseg score --help lists every option)' });
    expect(nucseg(['segment', 'x.tif'])).toEqual({ code: 1, stderr: 'nucseg: segment: missing --out (nucseg segment --help lists every option)' });
  });
  it('a negative number after an option says to use =, and then gets the range error', () => {
    expect(nucseg(['segment', 'x.tif', '--out', 'o', '--z', '-1']).stderr).toBe('nucseg: --z -1: a negative number is read as an option; write --z=-1 (nucseg segment --help lists every option)');
    expect(nucseg(['segment', 'x.tif', '--out', 'o', '--z=-1']).stderr).toBe("nucseg: --z must be a whole number >= 0, not '-1'");
  });
});
