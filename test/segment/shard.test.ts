import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { InputFile } from '../../lib/segment/job.js';
import { parseShard, shardInputs } from '../../lib/segment/shard.js';
import { BBBC039, REPO } from '../helpers/data.js';
import { summaryRows, tempDir } from '../helpers/tools.js';

// Issue 16: `--shard K/N` (one job of a cluster array) and the merge of the shards.
const cli = (args: string[]) => spawnSync(process.execPath, [join(REPO, 'bin', 'nucseg.js'), ...args], { encoding: 'utf8' });

describe('shards', () => {
  it('parseShard: K/N with 0 <= K < N, else one clear error', () => {
    expect(parseShard('0/1')).toEqual({ index: 0, count: 1 });
    expect(parseShard(' 7/8 ')).toEqual({ index: 7, count: 8 });
    for (const bad of ['8/8', '1/0', '-1/4', '1', 'a/b', '1/2/3', '']) expect(() => parseShard(bad), bad).toThrow(/--shard must be K\/N/);
  });

  it('shardInputs: every file in exactly one shard, a well\'s fields together, balanced by well, stable', () => {
    const files: InputFile[] = [];
    for (const row of 'ABCD') for (let col = 1; col <= 6; col++) for (let s = 1; s <= 1 + (col % 3); s++) files.push({ file: `/p/plate1_${row}0${col}_s${s}_w1.tif`, name: `plate1_${row}0${col}_s${s}_w1` });
    files.push({ file: '/p/notes-scan.tif', name: 'notes-scan' }); // no well: its own group
    for (const N of [1, 3, 5, 64]) {
      const shards = Array.from({ length: N }, (_, k) => shardInputs(files, { index: k, count: N }));
      expect(shards.flat().map((f) => f.name).sort()).toEqual(files.map((f) => f.name).sort());
      const wellOf = (f: InputFile) => /_([A-D]0\d)_/.exec(f.name)?.[1] ?? f.name;
      const owners = new Map<string, Set<number>>();
      shards.forEach((sh, k) => sh.forEach((f) => owners.set(wellOf(f), (owners.get(wellOf(f)) ?? new Set()).add(k))));
      for (const [well, ks] of owners) expect(ks.size, well).toBe(1);
      const wells = shards.map((sh) => new Set(sh.map(wellOf)).size);
      expect(Math.max(...wells) - Math.min(...wells)).toBeLessThanOrEqual(1);
      // stable: the same list splits the same way, and the input order is kept
      expect(shardInputs(files, { index: 0, count: N })).toEqual(shards[0]);
      expect(shards[0]).toEqual(files.filter((f) => shards[0].includes(f)));
    }
  });

  it('three shards of BBBC039 give the summary.csv and labels of one run; --collect waits for every shard; shards resume', () => {
    const dir = tempDir();
    const images = join(BBBC039, 'images');
    const sharded = join(dir, 'sharded'), whole = join(dir, 'whole');
    const outs = [0, 1, 2].map((k) => cli(['segment', images, '--out', sharded, '--model', 'classic', '--shard', `${k}/3`]));
    outs.forEach((o) => expect(o.status, o.stderr).toBe(0));
    expect(outs[0].stdout).toMatch(/shard 0\/3 done; 2 shard\(s\) still to finish/);
    expect(outs[2].stdout).toContain('all 3 shards done: summary.csv and run.json written');
    expect(cli(['segment', images, '--out', whole, '--model', 'classic']).status).toBe(0);
    expect(summaryRows(sharded)).toEqual(summaryRows(whole));
    const run = JSON.parse(readFileSync(join(sharded, 'run.json'), 'utf8'));
    expect([run.images, run.done, run.failed, run.shards]).toEqual([10, 10, 0, 3]);
    expect(run.settingsKey).toBe(JSON.parse(readFileSync(join(whole, 'run.json'), 'utf8')).settingsKey);
    const name = summaryRows(whole)[1].split(',')[0];
    expect(readFileSync(join(sharded, `${name}.labels.tif`)).equals(readFileSync(join(whole, `${name}.labels.tif`)))).toBe(true);
    // a rerun of one shard redoes nothing
    expect(cli(['segment', images, '--out', sharded, '--model', 'classic', '--shard', '1/3']).stdout).toMatch(/segmented 0 image\(s\), skipped [1-9]\d* already done/);
    // --collect with a shard missing: one line naming it, nothing rewritten
    rmSync(join(sharded, '.nucseg', 'shards', 'shard-2-of-3.json'));
    const c = cli(['segment', '--out', sharded, '--collect']);
    expect(c.status).toBe(1);
    expect(c.stderr.trim().split('\n')).toEqual([`nucseg: ${sharded}: cannot collect yet: shard(s) 2/3 have not finished`]);
    expect(cli(['segment', '--out', whole, '--collect']).stderr).toContain('no shards to collect');
    expect(cli(['segment', '--out', whole]).stderr).toContain('no inputs');
  }, 120_000);
});
