// Which images a batch or a watch segments: input discovery (lib/image/discover.ts) with
// output names, nucseg's own outputs and the output folder left out, and the channel filter.
import { extname, resolve, sep } from 'node:path';
import { expandImages, isOwnOutput } from '../image/discover.js';
import { NucsegError } from '../util/errors.js';
import type { InputFile } from './job.js';
import { compileNamePattern, parsePlateName } from './plate.js';

/**
 * Expands files, folders (recursive) and globs into images with output names (relative
 * path below the input folder, without extension). Skips nucseg's own outputs and anything
 * inside `exclude` (the output folder). Errors name inputs that do not exist.
 *
 * @example
 * ```ts
 * import { discoverInputs } from 'nucseg';
 * const inputs = await discoverInputs(['examples/fields'], 'results'); // nothing in results/ is an input
 * for (const { file, name } of inputs) console.log(name, file); // images/dsb-3ebd2ab3 /…/examples/fields/images/dsb-3ebd2ab3.tif, …, labels/…
 * ```
 */
export async function discoverInputs(inputs: readonly string[], exclude?: string): Promise<InputFile[]> {
  const ex = exclude ? resolve(exclude) + sep : undefined;
  const out = new Map<string, InputFile>();
  for (const { file, rel } of await expandImages(inputs)) {
    if ((ex && file.startsWith(ex)) || isOwnOutput(file, ['labels', 'overlay', 'errors'])) continue;
    out.set(file, { file, name: rel.slice(0, rel.length - extname(rel).length).split(sep).join('/') });
  }
  const list = [...out.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const seen = new Map<string, string>();
  for (const f of list) {
    const prev = seen.get(f.name);
    if (prev) throw new NucsegError(`two inputs would write the same outputs "${f.name}": ${prev} and ${f.file}`);
    seen.set(f.name, f.file);
  }
  return list;
}

/**
 * Whether a file's plate channel (parsed with `namePattern`, or the built-in patterns) is
 * `channel`; every file passes when `channel` is undefined. A bad `namePattern` is an error
 * here, at once.
 */
export function channelFilter(opts: { channel?: string; namePattern?: string }): (f: InputFile) => boolean {
  const re = opts.namePattern ? compileNamePattern(opts.namePattern) : undefined;
  if (opts.channel === undefined) return () => true;
  return (f) => parsePlateName(f.file, re).channel === opts.channel;
}

/** The images of a batch: discoverInputs below `inputs` outside `out`, of `channel` only; none is an error that says why. */
export async function selectInputs(inputs: readonly string[], opts: { out: string; channel?: string; namePattern?: string }): Promise<InputFile[]> {
  let files = await discoverInputs(inputs, opts.out);
  if (opts.channel !== undefined) files = files.filter(channelFilter(opts));
  if (files.length === 0) {
    const inside = inputs.some((i) => resolve(opts.out) === resolve(i) || resolve(i).startsWith(resolve(opts.out) + sep));
    if (inside) throw new NucsegError(`no images found: the input is the output folder ${opts.out} (or inside it), whose files are skipped as outputs; give --out another folder`);
    throw new NucsegError(`no images found in ${inputs.join(', ')}${opts.channel !== undefined ? ` for channel ${opts.channel}` : ''}`);
  }
  return files;
}
