import { Command, Option } from 'clipanion';
import { runExperiment } from '../experiment/run.js';
import { NucsegCommand } from './base.js';
import { wholeNumber } from './parse.js';

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
    `,
    examples: [
      ['Run the example plan on 2 cores', 'nucseg experiment run examples/experiment/plan.yaml --out exp --cores 2'],
      ['List the jobs that would run', 'nucseg experiment run examples/experiment/plan.yaml --out exp --dry-run'],
    ],
  });

  plan = Option.String({ required: true, name: 'plan.yaml' });
  out = Option.String('--out,-o', { required: true, description: 'Experiment folder (workflow, outputs, results/)' });
  cores = Option.String('--cores', '1', { description: 'Snakemake --cores: CPU cores the jobs share' });
  dryRun = Option.Boolean('--dry-run,-n', false, { description: 'Print the jobs that would run and run nothing' });
  snakemake = Option.String('--snakemake', { description: 'The snakemake executable (default: snakemake on PATH)' });
  quiet = Option.Boolean('--quiet', false, { description: "Print nothing but errors (Snakemake's log stays in .snakemake/log)" });

  async run(): Promise<number> {
    const cores = wholeNumber(this.cores, '--cores', 1);
    const r = await runExperiment(this.plan, {
      out: this.out,
      cores,
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
