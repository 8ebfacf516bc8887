import { Command, Option } from 'clipanion';
import { watchFolder } from '../segment/watch.js';
import type { ImageResult } from '../segment/job.js';
import { writeRunSummary } from '../segment/summary.js';
import { NucsegError } from '../util/errors.js';
import { findModel } from '../models/registry.js';
import { SegmentOptionsCommand, toSegmentOptions } from './segment-options.js';

export class WatchCommand extends SegmentOptionsCommand {
  static override paths = [['watch']];
  static override usage = Command.Usage({
    description: 'Segment images as they land in a folder (an acquisition writing them)',
    details: `
      Watches <dir> recursively and segments each new image once it is complete (size and
      modification time stable for --settle seconds, or renamed in complete), with the same
      outputs as \`nucseg segment\`. Images done before (also by an earlier watch) are not
      redone. Runs until Ctrl-C; summary.csv and run.json are rewritten after each image.
    `,
    examples: [['Watch an acquisition folder', 'nucseg watch /data/plate42 --out /data/plate42-results']],
  });

  dir = Option.String({ required: true });
  interval = Option.String('--interval', '1', { description: 'Seconds between looks at the folder' });
  settle = Option.String('--settle', '2', { description: 'Seconds a file must stay unchanged before it is read' });

  async run(): Promise<number> {
    const opts = toSegmentOptions(this as unknown as Record<string, unknown>);
    if (opts.model && opts.model !== 'classic') await findModel(opts.model); // fail before any image
    const interval = Number(this.interval), settle = Number(this.settle);
    if (!(interval > 0)) throw new NucsegError(`--interval must be > 0 seconds, not '${this.interval}'`);
    if (!(settle >= 0)) throw new NucsegError(`--settle must be >= 0 seconds, not '${this.settle}'`);
    const abort = new AbortController();
    const onSignal = () => abort.abort();
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    const results: ImageResult[] = [];
    if (!this.quiet && !this.json) this.context.stderr.write(`nucseg: watching ${this.dir} (Ctrl-C to stop)\n`);
    try {
      await watchFolder(this.dir, {
        ...opts,
        signal: abort.signal,
        intervalMs: interval * 1000,
        settleMs: settle * 1000,
        onResult: async (r) => {
          results.push(r);
          if (this.json) this.context.stdout.write(JSON.stringify(r) + '\n');
          else if (!this.quiet) this.context.stdout.write(r.status === 'failed' ? `FAILED ${r.error}\n` : `${r.status === 'skipped' ? 'already done' : 'segmented'} ${r.name}: ${r.count} nuclei\n`);
          await writeRunSummary(opts.out, results, opts, { watch: this.dir });
        },
        onIdle: () => {
          if (this.json) this.context.stdout.write(JSON.stringify({ idle: true, images: results.length }) + '\n');
        },
      });
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
    await writeRunSummary(opts.out, results, opts, { watch: this.dir });
    return 0;
  }
}
