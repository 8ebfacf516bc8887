import { Command, Option } from 'clipanion';
import { join, relative } from 'node:path';
import { writeRunReport } from '../segment/report.js';
import { segmentFiles } from '../segment/batch.js';
import type { ImageResult } from '../segment/job.js';
import { collectShards, parseShard, writeShardRecord } from '../segment/shard.js';
import { submitSlurm } from '../segment/slurm.js';
import { writeRunSummary } from '../segment/summary.js';
import { NucsegError } from '../util/errors.js';
import { Profile } from '../util/profile.js';
import { createProgress, type Progress } from '../util/progress.js';
import { findModel } from '../models/registry.js';
import { wholeNumber } from './parse.js';
import { slurmRequests } from './slurm-options.js';
import { SegmentOptionsCommand, toSegmentOptions } from './segment-options.js';

export class SegmentCommand extends SegmentOptionsCommand {
  static override paths = [['segment']];
  static override usage = Command.Usage({
    description: 'Segment nuclei in a batch of images (files, folders, globs): labels, per-nucleus CSVs, summary',
    details: `
      Writes, per image, <name>.labels.tif (uint16/uint32 instance labels) and <name>.csv
      (one row per nucleus), optionally <name>.overlay.png and <name>.geojson, plus
      summary.csv and run.json for the run. Images already done with the same settings are
      skipped (--force redoes them); every file appears only when complete. A failing image
      is reported and the batch goes on; the exit code is 1 if any failed. Ctrl-C stops
      after the images in progress; the next run resumes.
    `,
    examples: [
      ['Segment a plate folder', 'nucseg segment plate/ --out results/'],
      ['Four images at a time, with overlays and QuPath polygons', 'nucseg segment plate/ --out results/ --jobs 4 --overlay --geojson'],
      ['Channel 1 only, nuclei about 30 px across', "nucseg segment 'plate/*.tif' --out r/ --channel 01 --diameter 30"],
      ['One of 8 cluster jobs (a Slurm array 0-7); the last to finish writes summary.csv', 'nucseg segment plate/ --out r/ --shard $SLURM_ARRAY_TASK_ID/$SLURM_ARRAY_TASK_COUNT'],
      ['Merge the shards of a sharded run', 'nucseg segment --out r/ --collect'],
      ['Run it on Slurm as 8 array tasks, wait, resubmit failures, collect', 'nucseg segment plate/ --out r/ --executor slurm --shards 8 --partition cpu --mem 4G --time 01:00:00'],
    ],
  });

  inputs = Option.Rest();
  jobs = Option.String('--jobs,-j', '1', { description: 'Images processed at once (worker threads)' });
  shard = Option.String('--shard', { description: 'K/N: segment only shard K (0-based) of N of the inputs (a well\'s fields together), e.g. one job of a Slurm array; the last shard to finish writes summary.csv and run.json' });
  collect = Option.Boolean('--collect', false, { description: 'Merge the shards of a sharded run in --out into summary.csv and run.json (no inputs)' });
  executor = Option.String('--executor', 'local', { description: "local (default) or slurm: submit --shards N tasks as one sbatch job array, show progress, resubmit failed or cancelled tasks, collect; exit 0 only when every image is done" });
  shards = Option.String('--shards', { description: 'With --executor slurm: the number of array tasks (shards of the inputs, a well\'s fields together)' });
  partition = Option.String('--partition', { description: 'With --executor slurm: the Slurm partition' });
  mem = Option.String('--mem', { description: 'With --executor slurm: memory per task (sbatch --mem; default from measurements: 2G for fields up to 2048², 1G more per 4.2 Mpx)' });
  time = Option.String('--time', { description: 'With --executor slurm: time limit per task (sbatch --time; default from measurements: 56 s per 2048² field of the largest shard on 2 CPUs, at least 10 minutes)' });
  gpusPerJob = Option.String('--gpus-per-job', { description: 'With --executor slurm: GPUs per task (sbatch --gpus)' });
  cpusPerTask = Option.String('--cpus-per-task', { description: 'With --executor slurm: CPUs per task (default: --jobs)' });
  sbatchArgs = Option.String('--sbatch-args', { description: 'With --executor slurm: more sbatch arguments, e.g. "--account=lab --qos=short"' });
  retries = Option.String('--retries', '2', { description: 'With --executor slurm: resubmissions per failed or vanished task' });
  noWait = Option.Boolean('--no-wait', false, { description: 'With --executor slurm: submit, print the job id and return (the last task writes summary.csv)' });
  report = Option.Boolean('--report', false, { description: 'Also write thumbnails and, after the run, report.html (nucseg report: plate maps, QC flags, thumbnails)' });
  profile = Option.Boolean('--profile', false, { description: 'Time each stage (decode, normalize, diameter, resize, tiles, model, stitch, instances, measurements, writes) and print where the time went (on stderr)' });

  async run(): Promise<number> {
    const opts = { ...toSegmentOptions(this as unknown as Record<string, unknown>), ...(this.report ? { thumbnails: true } : {}), profile: this.profile, shard: this.shard === undefined ? undefined : parseShard(this.shard) };
    if (this.collect) {
      if (this.inputs.length || opts.shard) throw new NucsegError('--collect takes only --out (it merges the shards already in it)');
      const missing = await collectShards(opts.out);
      if (missing.length) throw new NucsegError(`cannot collect yet: shard(s) ${missing.map((s) => `${s.index}/${s.count}`).join(', ')} have not finished`, { file: opts.out });
      if (!this.quiet) this.context.stdout.write(`collected the shards into ${join(opts.out, 'summary.csv')} and run.json\n`);
      if (this.report) await this.writeReport(opts.out);
      return 0;
    }
    if (!this.inputs.length) throw new NucsegError('no inputs: give images, folders or globs (or --collect to merge the shards in --out)');
    if (opts.model && opts.model !== 'classic') await findModel(opts.model); // fail before any image
    const jobs = wholeNumber(this.jobs, '--jobs', 1, 256);
    if (this.executor === 'slurm') return this.runSlurm({ ...opts, jobs });
    if (this.executor !== 'local') throw new NucsegError(`--executor must be local or slurm, not '${this.executor}'`);
    const abort = new AbortController();
    let interrupts = 0;
    const onSigint = () => {
      interrupts++;
      if (interrupts === 1) {
        abort.abort();
        this.context.stderr.write('\nnucseg: stopping after the images in progress (Ctrl-C again to quit now; the next run resumes)\n');
      } else process.exit(130);
    };
    process.on('SIGINT', onSigint);
    const mode = this.quiet ? 'quiet' : this.json ? 'json' : 'auto';
    let progress: Progress | undefined;
    const results: ImageResult[] = [];
    const t0 = Date.now();
    try {
      for await (const r of segmentFiles(this.inputs, {
        ...opts,
        jobs,
        signal: abort.signal,
        onStart: (files) => {
          progress = createProgress('segment', files.length, mode);
        },
      })) {
        results.push(r);
        progress?.update(results.length, r.status === 'failed' ? `FAILED ${r.name}` : r.name);
        if (this.json) this.context.stdout.write(JSON.stringify(r) + '\n');
        else if (r.status === 'failed') this.context.stderr.write(`nucseg: ${r.error}\n`); // errors print even with --quiet
      }
    } finally {
      progress?.stop();
      process.off('SIGINT', onSigint);
    }
    const extra = { seconds: (Date.now() - t0) / 1000, interrupted: abort.signal.aborted };
    let summarized = !opts.shard;
    if (opts.shard) {
      await writeShardRecord(opts.out, opts.shard, results, { ...opts, jobs }, extra);
      const missing = await collectShards(opts.out); // the last shard to finish merges
      summarized = !missing.length;
      if (!this.quiet && !this.json) this.context.stdout.write(missing.length ? `shard ${opts.shard.index}/${opts.shard.count} done; ${missing.length} shard(s) still to finish (the last one writes summary.csv)\n` : `all ${opts.shard.count} shards done: summary.csv and run.json written\n`);
    } else await writeRunSummary(opts.out, results, { ...opts, jobs }, extra);
    if (this.report && summarized) await this.writeReport(opts.out);
    const failed = results.filter((r) => r.status === 'failed');
    const done = results.filter((r) => r.status === 'done').length, skipped = results.filter((r) => r.status === 'skipped').length;
    const nuclei = results.reduce((a, r) => a + (r.count ?? 0), 0);
    if (!this.quiet && !this.json) {
      const ran = results.find((r) => r.status === 'done');
      const on = ran ? ` with ${ran.model} on ${ran.device}` : '';
      this.context.stdout.write(`segmented ${done} image(s)${on}, skipped ${skipped} already done, ${failed.length} failed; ${nuclei} nuclei. Outputs in ${relative('.', opts.out) || '.'}/\n`);
      if (failed.length) this.context.stdout.write(`failed:\n${failed.map((f) => `  ${f.error?.split('\n')[0]}`).join('\n')}\n`);
    }
    if (this.profile) {
      const prof = new Profile();
      const timed = results.filter((r) => r.status === 'done' && r.profile);
      for (const r of timed) prof.merge(r.profile!);
      this.context.stderr.write(timed.length ? `time per field, ${timed.length} field(s) profiled (--jobs ${jobs}: stages of images run at once overlap):\n${prof.table(timed.length)}\n` : 'nothing was segmented, so nothing was profiled (images already done are skipped: --force redoes them)\n');
    }
    if (abort.signal.aborted) return 130;
    return failed.length ? 1 : 0;
  }

  /** --report: the run's report.html once summary.csv is written (lib/segment/report.ts). */
  private async writeReport(out: string): Promise<void> {
    const page = await writeRunReport(out);
    if (!this.quiet && !this.json) this.context.stdout.write(`report: ${relative('.', page)}\n`);
  }

  /** --executor slurm: the shards as one job array (lib/segment/slurm.ts). */
  private async runSlurm(opts: ReturnType<typeof toSegmentOptions> & { shard?: unknown; jobs: number }): Promise<number> {
    if (opts.shard) throw new NucsegError('--shard runs one task of an array; --executor slurm submits them all (give --shards N)');
    if (this.shards === undefined) throw new NucsegError('--executor slurm needs --shards N (the number of array tasks)');
    const shards = wholeNumber(this.shards, '--shards', 1, 10000);
    const abort = new AbortController();
    const onSigint = () => abort.abort();
    process.on('SIGINT', onSigint);
    const progress = this.noWait ? undefined : createProgress('slurm shards', shards, this.quiet ? 'quiet' : this.json ? 'json' : 'auto');
    try {
      const r = await submitSlurm(this.inputs, {
        ...opts,
        ...slurmRequests(this),
        shards,
        cpusPerTask: this.cpusPerTask === undefined ? undefined : wholeNumber(this.cpusPerTask, '--cpus-per-task', 1, 1024),
        noWait: this.noWait,
        signal: abort.signal,
        onProgress: (p) => progress?.update(p.finished, `job ${p.jobIds[0]}: ${p.running} running, ${p.pending} pending${p.retries ? `, ${p.retries} resubmitted` : ''}`),
      });
      progress?.stop();
      if (this.json) this.context.stdout.write(JSON.stringify(r) + '\n');
      else if (this.noWait) this.context.stdout.write(`${r.jobIds[0]}\n`);
      else if (!this.quiet) {
        this.context.stdout.write(r.gaveUp.length ? `shard(s) ${r.gaveUp.join(', ')} failed ${Number(this.retries) + 1} time(s); see ${join(opts.out, '.nucseg', 'slurm')}/task-K.out\n` : `segmented ${r.done} of ${r.images} image(s) in ${shards} Slurm task(s) (job ${r.jobIds.join(', ')}), ${r.failed} failed; summary.csv in ${relative('.', opts.out) || '.'}/\n`);
        if (r.failures.length) this.context.stdout.write(`failed:\n${r.failures.map((f) => `  ${f.error?.split('\n')[0] ?? f.file}`).join('\n')}\n`);
      }
      if (abort.signal.aborted) return 130;
      if (this.report && !this.noWait && !r.gaveUp.length) await this.writeReport(opts.out);
      return this.noWait || r.ok ? 0 : 1;
    } finally {
      progress?.stop();
      process.off('SIGINT', onSigint);
    }
  }
}
