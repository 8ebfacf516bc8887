import type { SlurmRequests } from '../util/slurm.js';
import { wholeNumber } from './parse.js';

/** The Slurm options as clipanion gives them (strings; undefined when not given). */
export interface SlurmOptionText {
  partition?: string;
  mem?: string;
  time?: string;
  gpusPerJob?: string;
  sbatchArgs?: string;
  retries: string;
}

/**
 * Validates the Slurm options both `--executor slurm` commands take: --gpus-per-job a whole
 * number in [1, 64], --retries in [0, 100], --sbatch-args split at white space (--partition,
 * --mem and --time are sbatch's to judge). One-line NucsegErrors naming the option.
 *
 * @example
 * ```ts
 * slurmRequests({ partition: 'gpu', gpusPerJob: '1', sbatchArgs: ' --account=lab  --qos=short', retries: '2' });
 * // { partition: 'gpu', mem: undefined, time: undefined, gpusPerJob: 1, sbatchArgs: [ '--account=lab', '--qos=short' ], retries: 2 }
 * ```
 */
export function slurmRequests(o: SlurmOptionText): SlurmRequests {
  return {
    partition: o.partition,
    mem: o.mem,
    time: o.time,
    gpusPerJob: o.gpusPerJob === undefined ? undefined : wholeNumber(o.gpusPerJob, '--gpus-per-job', 1, 64),
    sbatchArgs: o.sbatchArgs?.trim().split(/\s+/).filter(Boolean),
    retries: wholeNumber(o.retries, '--retries', 0, 100),
  };
}
