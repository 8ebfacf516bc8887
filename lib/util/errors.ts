/**
 * The one error class for bad input and failed operations that a user can fix. It carries
 * the file it concerns (if any) and a plain reason; the CLI prints `file: reason` on one
 * line and exits non-zero. Anything that is not a NucsegError is a bug and keeps its stack.
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

/** True for errors that describe bad input rather than a bug. */
export function isUserError(e: unknown): e is NucsegError {
  return e instanceof NucsegError;
}
