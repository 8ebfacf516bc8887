import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { REPO } from './data.js';

// The throwaway single-node Slurm cluster of scripts/slurm-single-node.sh, for the tests.
const SCRIPT = join(REPO, 'scripts', 'slurm-single-node.sh');
const BINARIES = ['sbatch', 'squeue', 'scancel', 'sinfo', 'slurmctld', 'slurmd', 'munged'];

/** Why the Slurm tests cannot run here (a binary missing), or undefined when they can. */
export function slurmMissing(): string | undefined {
  const path = `${process.env.PATH ?? ''}:/usr/sbin:/sbin`.split(':');
  const missing = BINARIES.filter((b) => !path.some((d) => d && existsSync(join(d, b))));
  return missing.length ? `Slurm tests skipped: ${missing.join(', ')} not installed (apt-get install slurm-wlm munge; see scripts/test-packages.txt)` : undefined;
}

/** This process as a holder of the cluster: test files run in parallel processes share one cluster. */
const HOLDER = { ...process.env, NUCSEG_SLURM_HOLDER: String(process.pid) };

/**
 * Starts the cluster (or finds it running) and returns the environment for sbatch/squeue:
 * process.env with SLURM_CONF set to its slurm.conf. This process is registered as one of
 * its holders (stopSlurm releases it).
 *
 * @example
 * ```ts
 * const env = startSlurm(); // { ...process.env, SLURM_CONF: '/tmp/nucseg-slurm-0/slurm.conf' }
 * ```
 */
export function startSlurm(): NodeJS.ProcessEnv {
  const conf = execFileSync(SCRIPT, ['up'], { encoding: 'utf8', timeout: 180_000, env: HOLDER, stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  return { ...process.env, SLURM_CONF: conf, USER: process.env.USER ?? 'root' };
}

/** Releases the cluster: its daemons stop when no other live test process holds it. */
export function stopSlurm(): void {
  spawnSync(SCRIPT, ['release'], { env: HOLDER, stdio: 'ignore', timeout: 150_000 });
}
