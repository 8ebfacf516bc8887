/**
 * The one error class for bad input and failed operations that a user can fix. It carries
 * the file it concerns (if any) and a plain reason; the CLI prints `file: reason` on one
 * line and exits non-zero. Anything that is not a NucsegError is a bug and keeps its stack.
 *
 * @example
 * ```ts
 * import { NucsegError } from 'nucseg';
 * const e = new NucsegError('is not an image', { file: 'notes.txt' });
 * console.log(e.message, '|', e.file, '|', e.reason); // notes.txt: is not an image | notes.txt | is not an image
 * ```
 */
export class NucsegError extends Error {
  readonly file?: string;
  readonly reason: string;

  constructor(reason: string, options: { file?: string; cause?: unknown } = {}) {
    super(options.file ? `${options.file}: ${reason}` : reason, { cause: options.cause });
    this.name = 'NucsegError';
    this.reason = reason;
    this.file = options.file;
  }
}

/** Throws a NucsegError naming `file` (a function, so that its type `never` ends the caller's path). */
export function throwFileError(file: string, reason: string, cause?: unknown): never {
  throw new NucsegError(reason, { file, cause });
}

/**
 * True for errors that describe bad input rather than a bug.
 *
 * @example
 * ```ts
 * import { isUserError, readImage } from 'nucseg';
 * try {
 *   await readImage('missing.tif');
 * } catch (e) {
 *   if (!isUserError(e)) throw e; // a bug: keep its stack
 *   console.error(`nucseg: ${e.message}`); // nucseg: missing.tif: no such file
 * }
 * ```
 */
export function isUserError(e: unknown): e is NucsegError {
  return e instanceof NucsegError;
}
