// Where a field's time goes: milliseconds per pipeline stage, summed over calls (and over
// fields when merged). `nucseg segment --profile` and `npm run bench -- --only inference`
// print it; it drives the performance work (issue 14).

/** The stages in pipeline order (others sort after them, alphabetically). */
export const STAGES = ['decode', 'normalize', 'diameter', 'resize', 'tiles', 'model', 'stitch', 'instances', 'measurements', 'overlay/geojson', 'writes', 'other'] as const;
export type Stage = (typeof STAGES)[number];

/**
 * Milliseconds per stage.
 *
 * @example
 * ```ts
 * import { Profile, processImage } from 'nucseg';
 * const r = await processImage({ file: 'examples/fields/images/dsb-3ebd2ab3.tif', name: 'dsb-3ebd2ab3' }, 'results', { model: 'classic', profile: true });
 * if (r.profile) console.log(Profile.from(r.profile).table());
 * ```
 */
export class Profile {
  readonly ms: Record<string, number> = {};

  static from(ms: Record<string, number>): Profile {
    const p = new Profile();
    p.merge(ms);
    return p;
  }

  add(stage: Stage, ms: number): void {
    this.ms[stage] = (this.ms[stage] ?? 0) + ms;
  }

  /** Runs `fn`, adding its wall time to `stage`. */
  time<T>(stage: Stage, fn: () => T): T {
    const t = performance.now();
    try {
      return fn();
    } finally {
      this.add(stage, performance.now() - t);
    }
  }

  async timeAsync<T>(stage: Stage, fn: () => Promise<T>): Promise<T> {
    const t = performance.now();
    try {
      return await fn();
    } finally {
      this.add(stage, performance.now() - t);
    }
  }

  merge(ms: Record<string, number>): void {
    for (const [k, v] of Object.entries(ms)) this.ms[k] = (this.ms[k] ?? 0) + v;
  }

  total(): number {
    return Object.values(this.ms).reduce((a, b) => a + b, 0);
  }

  /** A Markdown table: stage, ms (per field when `fields` > 1), share of the total. */
  table(fields = 1): string {
    const order = (k: string) => {
      const i = (STAGES as readonly string[]).indexOf(k);
      return i < 0 ? STAGES.length : i;
    };
    const keys = Object.keys(this.ms).sort((a, b) => order(a) - order(b) || a.localeCompare(b));
    const total = this.total();
    const per = fields > 1 ? ' per field' : '';
    const rows = keys.map((k) => `| ${k} | ${(this.ms[k] / fields).toFixed(1)} | ${((100 * this.ms[k]) / (total || 1)).toFixed(1)} % |`);
    return [`| stage | ms${per} | share |`, '|---|---:|---:|', ...rows, `| total | ${(total / fields).toFixed(1)} | 100 % |`].join('\n');
  }
}

/** `fn()`, its wall time added to `stage` when a profile is given (the pipeline's optional profiling). */
export function timed<T>(profile: Profile | undefined, stage: Stage, fn: () => T): T {
  return profile ? profile.time(stage, fn) : fn();
}

/** timed for asynchronous work. */
export function timedAsync<T>(profile: Profile | undefined, stage: Stage, fn: () => T | Promise<T>): Promise<T> {
  return profile ? profile.timeAsync(stage, async () => fn()) : Promise.resolve(fn());
}
