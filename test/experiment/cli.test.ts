import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { PassThrough } from 'node:stream';
import { Cli } from 'clipanion';
import { describe, expect, it, vi } from 'vitest';
import { ExperimentRunCommand } from '../../lib/cli/experiment.js';
import { REPO } from '../helpers/data.js';
import { tempDir } from '../helpers/tools.js';
import { planYaml, tinyData } from './helpers.js';

// vitest resolves clipanion to its ESM build, which imports a folder: use the CommonJS build, as bin/nucseg.js does
vi.mock('clipanion', () => createRequire(import.meta.url)('clipanion'));

/** Runs `nucseg experiment …` through clipanion as main.ts would (the command registered alone). */
async function nucseg(args: string[]) {
  const cli = new Cli({ binaryName: 'nucseg', enableColors: false });
  cli.register(ExperimentRunCommand);
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (b) => (out += b));
  stderr.on('data', (b) => (err += b));
  const code = await cli.run(args, { stdout, stderr });
  return { code, stdout: out, stderr: err };
}

describe('nucseg experiment run (command)', () => {
  const data = tinyData();

  it('--dry-run prints the jobs and their count; runs nothing', async () => {
    const plan = join(data.dir, 'plan.yaml');
    writeFileSync(plan, planYaml());
    const out = tempDir('nucseg-exp-cli-');
    const r = await nucseg(['experiment', 'run', plan, '--out', out, '--dry-run', '--cores', '2']);
    expect(r.stderr).toContain('rule train:');
    expect(r.stderr).toMatch(/^total\s+14\b/m);
    expect(r.stdout).toBe(`14 jobs would run in ${out}\n`);
    expect(r.code).toBe(0);
  });

  it('a bad plan or option is one line on stderr and exit code 1, before anything runs', async () => {
    const plan = join(data.dir, 'bad.yaml');
    writeFileSync(plan, planYaml('factors:\n  rois: [0]\n'));
    const out = tempDir('nucseg-exp-cli-');
    let r = await nucseg(['experiment', 'run', plan, '--out', out]);
    expect(r.stderr).toBe(`nucseg: ${plan}: factors.rois.0: must be >= 1\n`);
    expect(r.code).toBe(1);
    r = await nucseg(['experiment', 'run', join(REPO, 'examples', 'experiment', 'plan.yaml'), '--out', out, '--cores', '0']);
    expect(r.stderr).toBe("nucseg: --cores must be a whole number >= 1, not '0'\n");
    expect(r.code).toBe(1);
    r = await nucseg(['experiment', 'run', join(REPO, 'examples', 'experiment', 'plan.yaml'), '--out', out, '--snakemake', '/nonexistent/snakemake']);
    expect(r.stderr).toMatch(/^nucseg: \/nonexistent\/snakemake not found: nucseg experiment needs Snakemake \(Debian: apt-get install snakemake\)\n$/);
    expect(r.code).toBe(1);
  });
});
