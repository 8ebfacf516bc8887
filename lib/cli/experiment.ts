import { Command, Option } from 'clipanion';
import { runExperiment } from '../experiment/run.js';
import { NucsegError } from '../util/errors.js';
import { NucsegCommand } from './base.js';
import { wholeNumber } from './parse.js';
import { slurmRequests } from './slurm-options.js';

export class ExperimentRunCommand extends NucsegCommand {
  static override paths = [['experiment', 'run']];
  static override usage = Command.Usage({
    description: 'Run a plan of training experiments (augment → train → segment → score → summary) as a Snakemake workflow',
    details: `
      The plan (YAML or JSON, see docs/experiment.md) names the datasets, a baseline
      training recipe, the factors that vary (one at a time or as a grid), the replicate
      seeds, the test sets and the IoU thresholds. The command writes a Snakefile and its
      config.json into --out and runs Snakemake there: an augmented set shared by several
      strategies is built once, a finished job is never redone, a killed run resumes, and a
      changed parameter reruns only what it affects. Results: results/scores.csv (tidy),
      results/summary.csv and results/summary.md (F1 per strategy and test set, mean ± s.d.
      over replicates); run.json records the versions and the plan's sha256. You can also
      run \`snakemake --cores N\` in --out yourself.

      With --executor slurm, Snakemake submits every job (but the final \`all\`) to Slurm
      with sbatch (its generic cluster mode, no accounting database needed): each job asks
      for --cores CPUs, its rule's memory and time (or --mem / --time), and the training
      jobs for --gpus-per-job GPUs. A job that fails or is cancelled is resubmitted
      (--retries times); Slurm logs go to logs/slurm/.
    `,
    examples: [
      ['Run the example plan on 2 cores', 'nucseg experiment run examples/experiment/plan.yaml --out exp --cores 2'],
      ['List the jobs that would run', 'nucseg experiment run examples/experiment/plan.yaml --out exp --dry-run'],
      ['Run the jobs on Slurm, training on a GPU partition', 'nucseg experiment run plan.yaml --out exp --executor slurm --partition gpu --gpus-per-job 1'],
    ],
  });

  plan = Option.String({ required: true, name: 'plan.yaml' });
  out = Option.String('--out,-o', { required: true, description: 'Experiment folder (workflow, outputs, results/)' });
  cores = Option.String('--cores', '1', { description: 'Snakemake --cores: CPU cores the jobs share' });
  dryRun = Option.Boolean('--dry-run,-n', false, { description: 'Print the jobs that would run and run nothing' });
  snakemake = Option.String('--snakemake', { description: 'The snakemake executable (default: snakemake on PATH)' });
  quiet = Option.Boolean('--quiet', false, { description: "Print nothing but errors (Snakemake's log stays in .snakemake/log)" });
  executor = Option.String('--executor', 'local', { description: 'local (default) or slurm: Snakemake submits each job with sbatch, watches it, resubmits a failed or cancelled one' });
  jobs = Option.String('--jobs', '100', { description: 'With --executor slurm: jobs queued or running at once (snakemake --jobs)' });
  partition = Option.String('--partition', { description: 'With --executor slurm: the Slurm partition' });
  mem = Option.String('--mem', { description: 'With --executor slurm: memory per job (sbatch --mem; default per rule: train 8G, augment 4G, segment and score 2G)' });
  time = Option.String('--time', { description: 'With --executor slurm: time limit per job (sbatch --time; default per rule: train 24:00:00, augment and segment 02:00:00, score 01:00:00)' });
  gpusPerJob = Option.String('--gpus-per-job', { description: 'With --executor slurm: GPUs per training job (sbatch --gpus; set device: auto or cuda in the plan)' });
  sbatchArgs = Option.String('--sbatch-args', { description: 'With --executor slurm: more sbatch arguments for every job, e.g. "--account=lab --qos=short"' });
  retries = Option.String('--retries', '2', { description: 'With --executor slurm: resubmissions of a job that failed or was cancelled (snakemake --restart-times)' });

  async run(): Promise<number> {
    const cores = wholeNumber(this.cores, '--cores', 1);
    if (this.executor !== 'local' && this.executor !== 'slurm') throw new NucsegError(`--executor must be local or slurm, not '${this.executor}'`);
    const stray = (['partition', 'mem', 'time', 'gpusPerJob', 'sbatchArgs'] as const).find((k) => this[k] !== undefined);
    if (this.executor === 'local' && stray) throw new NucsegError(`--${stray.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase())} is a Slurm request: add --executor slurm`);
    const slurm = this.executor === 'slurm' ? { ...slurmRequests(this), jobs: wholeNumber(this.jobs, '--jobs', 1) } : undefined;
    const r = await runExperiment(this.plan, {
      out: this.out,
      cores,
      slurm,
      dryRun: this.dryRun,
      snakemake: this.snakemake,
      onOutput: this.quiet ? undefined : (s) => this.context.stderr.write(s),
    });
    if (!this.quiet) {
      const n = r.jobs.total ?? 0;
      this.context.stdout.write(this.dryRun ? `${n} jobs would run in ${this.out}\n` : `${n} jobs ran; results in ${this.out}/results/summary.md\n`);
    }
    return 0;
  }
}
