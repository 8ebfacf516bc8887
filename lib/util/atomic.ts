import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { NucsegError } from './errors.js';

/**
 * Writes `data` to `path` so that a crash never leaves a half-written file: the bytes go
 * to a temporary name in the same folder (same file system), are fsynced, then renamed
 * over `path`. The temporary file is removed if anything fails. Creates missing parent
 * folders. Throws NucsegError naming `path` when the folder is not writable.
 *
 * @example
 * ```ts
 * import { writeFileAtomic } from 'nucseg';
 * await writeFileAtomic('results/notes.txt', 'segmented with the classic model\n'); // creates results/
 * ```
 */
export async function writeFileAtomic(path: string, data: Uint8Array | string): Promise<void> {
  const dir = dirname(path);
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    await mkdir(dir, { recursive: true });
    const fh = await open(tmp, 'w');
    try {
      await fh.writeFile(data);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, path);
  } catch (e) {
    await unlink(tmp).catch(() => {});
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'EACCES' || err.code === 'EROFS' || err.code === 'ENOENT' || err.code === 'ENOTDIR' || err.code === 'EEXIST' || err.code === 'EISDIR' || err.code === 'EPERM' || err.code === 'ENOSPC') {
      throw new NucsegError(`cannot write file (${err.code})`, { file: path, cause: e });
    }
    throw e;
  }
}

const TEMP_NAME = /^\..+\.(\d+)\.[0-9a-f]{8}\.tmp$/;

/**
 * Removes the temporaries writeFileAtomic left in `dir` (recursively) when its writer was
 * killed: `.name.<pid>.<hex>.tmp` files whose process is gone on this machine. A living
 * writer's temporaries are kept. Returns how many were removed.
 */
export async function removeStaleTemporaries(dir: string): Promise<number> {
  let removed = 0;
  const alive = (pid: number) => {
    try {
      process.kill(pid, 0);
      return true;
    } catch (e) {
      return (e as NodeJS.ErrnoException).code === 'EPERM';
    }
  };
  const walk = async (d: string): Promise<void> => {
    const entries = await readdir(d, { withFileTypes: true }).catch(() => []);
    for (const e of entries) {
      const p = join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else if (e.isFile()) {
        const m = TEMP_NAME.exec(e.name);
        if (m && !alive(Number(m[1]))) {
          await unlink(p).catch(() => {});
          removed++;
        }
      }
    }
  };
  await walk(dir);
  return removed;
}
