import cliProgress from 'cli-progress';

/** How long work reports progress: a bar on a TTY, plain lines otherwise, JSON lines, or nothing. */
export type ProgressMode = 'auto' | 'bar' | 'lines' | 'json' | 'quiet';

export interface Progress {
  /** Reports that `done` of `total` items are finished; `label` names the last one. */
  update(done: number, label?: string): void;
  /** Ends the report (clears the bar). */
  stop(): void;
}

/**
 * One progress reporter for all long work. Writes to stderr so stdout stays clean for
 * tables and machine output. Plain-line mode prints at most about once a second.
 *
 * @example
 * ```ts
 * import { createProgress } from 'nucseg';
 * const progress = createProgress('segment', 3, 'lines'); // 'auto': a bar on a TTY
 * for (let done = 1; done <= 3; done++) progress.update(done, `field ${done}`);
 * progress.stop();
 * ```
 */
export function createProgress(title: string, total: number, mode: ProgressMode = 'auto', stream: NodeJS.WriteStream = process.stderr): Progress {
  const resolved = mode === 'auto' ? (stream.isTTY ? 'bar' : 'lines') : mode;
  const start = Date.now();
  if (resolved === 'quiet') return { update() {}, stop() {} };
  if (resolved === 'bar') {
    const bar = new cliProgress.SingleBar(
      { format: `${title} [{bar}] {value}/{total} | {rate}/s | ETA {eta_formatted} | {label}`, stream, hideCursor: true, clearOnComplete: false, etaBuffer: 20 },
      cliProgress.Presets.shades_classic,
    );
    bar.start(total, 0, { rate: '0.0', label: '' });
    return {
      update(done, label = '') {
        const s = (Date.now() - start) / 1000;
        bar.update(done, { rate: (s > 0 ? done / s : 0).toFixed(1), label });
      },
      stop() {
        bar.stop();
      },
    };
  }
  let last = start;
  return {
    update(done, label = '') {
      const now = Date.now();
      if (done < total && now - last < 1000) return;
      last = now;
      const s = (now - start) / 1000;
      const rate = s > 0 ? done / s : 0;
      const eta = rate > 0 ? (total - done) / rate : 0;
      if (resolved === 'json') stream.write(JSON.stringify({ progress: title, done, total, perSecond: +rate.toFixed(3), etaSeconds: +eta.toFixed(1), item: label }) + '\n');
      else stream.write(`${title}: ${done}/${total} (${rate.toFixed(1)}/s, ETA ${eta.toFixed(0)} s) ${label}\n`);
    },
    stop() {},
  };
}
