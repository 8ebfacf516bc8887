import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { unlink } from 'node:fs/promises';
import { resolve } from 'node:path';
import { NucsegError } from '../util/errors.js';
import { packagePath } from '../util/package.js';

/** One progress event printed by models-onnx/training/train.py (JSON lines). */
/** FPN2-WS head choices (models-onnx/training/nets.py HEADS). */
export const FPN_HEADS = ['fullres', 'lite', 'fpn'] as const;
export type FpnHead = (typeof FPN_HEADS)[number];

export interface TrainEvent {
  event: 'start' | 'step' | 'cycle' | 'evaluate' | 'done';
  [k: string]: unknown;
}

export interface TrainOptions {
  /** HDF5 set from `nucseg augment`. */
  data: string;
  arch?: 'fpn2ws' | 'mrcnn';
  cycles?: number;
  /** 'random', 'imagenet' (torchvision's ImageNet encoder weights, only if already on disk) or an exported nucseg model (.onnx) to fine-tune (transfer learning). */
  init?: string;
  /** Output .onnx path; the card goes next to it (<name>.card.json). */
  out: string;
  /** Python with torch, h5py and onnx (else NUCSEG_PYTHON, /usr/bin/python3, python3 on PATH). */
  python?: string;
  encoder?: 'resnet18' | 'resnet34';
  batch?: number;
  device?: 'auto' | 'cpu' | 'cuda';
  seed?: number;
  float16?: boolean;
  /** Mask R-CNN: the lowest detection score the exported model returns (default 0.3). */
  exportMinScore?: number;
  /** Use at most this many ROIs per split (smoke tests). */
  limit?: number;
  /** FPN2-WS heads: 'fullres' (default; a decoder per map to full resolution), 'lite' (one light full-resolution decoder for both maps, about the stride-4 head's CPU time) or 'fpn' (the seed paper's stride-4 head). */
  head?: FpnHead;
  /** Annotated sets scored with the final model, into the card: 'name=folder[:names file]' (folder with images/ and labels/). */
  evaluate?: string[];
  /** The `evaluate` set the post-processing is tuned on (grid search; winner and grid into the card). */
  tune?: string;
  /** The median nucleus diameter (px) of the training ROIs, recorded in the card for automatic scale. */
  diameter?: number;
  onEvent?: (e: TrainEvent) => void;
  signal?: AbortSignal;
}

/**
 * Finds a Python that can train: `explicit`, then NUCSEG_PYTHON, then Debian's
 * /usr/bin/python3, then python3 on PATH — the first that imports torch, h5py and onnx.
 * Throws NucsegError naming what each candidate lacks.
 */
export function findPython(explicit?: string): string {
  const candidates = explicit ? [explicit] : [process.env.NUCSEG_PYTHON, '/usr/bin/python3', 'python3'].filter((c): c is string => !!c);
  const problems: string[] = [];
  for (const py of candidates) {
    const r = spawnSync(py, ['-c', 'import importlib.util as u,sys;m=[n for n in ("torch","h5py","onnx","numpy","scipy") if u.find_spec(n) is None];print(",".join(m))'], { encoding: 'utf8' });
    if (r.error) {
      problems.push(`${py}: not found`);
      continue;
    }
    if (r.status !== 0) {
      problems.push(`${py}: does not run (${r.stderr.trim().split('\n').pop()})`);
      continue;
    }
    const missing = r.stdout.trim();
    if (!missing) return py;
    problems.push(`${py}: lacks ${missing.split(',').join(', ')}`);
  }
  throw new NucsegError(
    `no Python with PyTorch found (${problems.join('; ')}). Install python3-torch, python3-h5py, python3-onnx and python3-scipy (Debian) or pass --python / set NUCSEG_PYTHON`,
  );
}

/**
 * Trains a model with the repo's PyTorch code (models-onnx/training/train.py) in a child
 * process (no shell), streaming its progress events; Ctrl-C (signal) stops it and removes
 * partial files. The model and its card appear only when complete, and only if ONNX Runtime
 * reproduces PyTorch on the card's test input (`maxDifference`).
 */
export async function train(opts: TrainOptions): Promise<{ model: string; card: string; events: TrainEvent[]; maxDifference: number }> {
  const arch = opts.arch ?? 'fpn2ws';
  if (!existsSync(opts.data)) throw new NucsegError('no such file', { file: opts.data });
  const named = (i?: string) => !i || i === 'random' || i === 'imagenet';
  if (!named(opts.init) && !existsSync(opts.init!)) throw new NucsegError('initial model not found', { file: opts.init! });
  const python = findPython(opts.python);
  const out = resolve(opts.out);
  const args = [packagePath('models-onnx', 'training', 'train.py'), '--data', resolve(opts.data), '--out', out, '--arch', arch, '--cycles', String(opts.cycles ?? 5), '--init', named(opts.init) ? (opts.init ?? 'random') : resolve(opts.init!)];
  if (opts.encoder) args.push('--encoder', opts.encoder);
  if (opts.batch) args.push('--batch', String(opts.batch));
  if (opts.device) args.push('--device', opts.device);
  if (opts.seed !== undefined) args.push('--seed', String(opts.seed));
  if (opts.float16) args.push('--float16');
  if (opts.exportMinScore !== undefined) args.push('--export-min-score', String(opts.exportMinScore));
  if (opts.limit) args.push('--limit', String(opts.limit));
  if (opts.head) args.push('--head', opts.head);
  for (const e of opts.evaluate ?? []) args.push('--evaluate', e);
  if (opts.tune) {
    if (!(opts.evaluate ?? []).some((e) => e.split('=')[0] === opts.tune)) throw new NucsegError(`--tune ${opts.tune}: no --evaluate set of that name`);
    args.push('--tune', opts.tune);
  }
  if (opts.diameter !== undefined) args.push('--diameter', String(opts.diameter));
  const child = spawn(python, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const events: TrainEvent[] = [];
  let stderr = '';
  let buf = '';
  child.stdout.on('data', (d: Buffer) => {
    buf += d.toString();
    const lines = buf.split('\n');
    buf = lines.pop()!;
    for (const l of lines) {
      if (!l.trim()) continue;
      try {
        const e = JSON.parse(l) as TrainEvent;
        events.push(e);
        opts.onEvent?.(e);
      } catch {
        stderr += l + '\n';
      }
    }
  });
  child.stderr.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-20000);
  });
  const onAbort = () => child.kill('SIGINT');
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  const code: number | null = await new Promise((r) => child.on('close', (c) => r(c)));
  opts.signal?.removeEventListener('abort', onAbort);
  const done = events.find((e) => e.event === 'done');
  if (code !== 0 || !done) {
    await unlink(`${out}.tmp.onnx`).catch(() => {});
    if (opts.signal?.aborted) throw new NucsegError('training interrupted; no model written', { file: opts.out });
    const tail = stderr.trim().split('\n').filter((l) => !/Warning|warnings\.warn/.test(l)).slice(-3).join(' | ');
    throw new NucsegError(`training failed (exit ${code}): ${tail || 'no message'}`, { file: opts.data });
  }
  // the export is checked where it will run: ONNX Runtime on the card's test input must
  // reproduce PyTorch's outputs (max |difference| within the card's tolerance)
  const { verifyModel } = await import('../models/verify.js');
  const v = await verifyModel(String(done.model));
  if (!v.ok) {
    await Promise.all([unlink(String(done.model)).catch(() => {}), unlink(String(done.card)).catch(() => {})]);
    throw new NucsegError(`the exported model does not reproduce PyTorch in ONNX Runtime (max |difference| ${v.maxDifference}, tolerance ${v.tolerance}${v.error ? `; ${v.error}` : ''}); nothing written`, { file: opts.out });
  }
  return { model: String(done.model), card: String(done.card), events, maxDifference: v.maxDifference };
}
