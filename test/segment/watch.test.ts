import { spawn } from 'node:child_process';
import { copyFileSync, readFileSync, readdirSync, statSync, writeFileSync, appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BBBC039, REPO } from '../helpers/data.js';
import { tempDir } from '../helpers/tools.js';

const BIN = join(REPO, 'bin', 'nucseg.js');
const sources = readdirSync(join(BBBC039, 'images')).sort();

/** Starts `nucseg watch`, collecting its JSON lines; resolves helpers to wait and stop. */
function startWatch(dir: string, out: string) {
  const child = spawn(process.execPath, [BIN, 'watch', '--model', 'classic', dir, '--out', out, '--json', '--interval', '0.1', '--settle', '0.6'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const events: Record<string, unknown>[] = [];
  let buf = '';
  child.stdout.on('data', (d: Buffer) => {
    buf += d.toString();
    const lines = buf.split('\n');
    buf = lines.pop()!;
    for (const l of lines) if (l.trim()) events.push(JSON.parse(l));
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const until = async (pred: () => boolean, ms = 30000) => {
    const t0 = Date.now();
    while (!pred()) {
      if (Date.now() - t0 > ms) throw new Error(`timed out; events: ${JSON.stringify(events)} stderr: ${stderr}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const stop = async () => {
    child.kill('SIGINT');
    return new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  };
  const results = () => events.filter((e) => 'status' in e);
  return { events, until, stop, results };
}

describe('nucseg watch', () => {
  it('segments files as they land, waits for files still being written, survives a restart', async () => {
    const dir = tempDir('nucseg-watch-'), out = join(tempDir(), 'out');
    copyFileSync(join(BBBC039, 'images', sources[0]), join(dir, 'A01_s1.tif'));
    const w = startWatch(dir, out);
    await w.until(() => w.results().length === 1);
    expect(w.results()[0]).toMatchObject({ name: 'A01_s1', status: 'done' });

    // an acquisition writing a file in two parts, with a pause shorter than --settle
    const src = readFileSync(join(BBBC039, 'images', sources[1]));
    writeFileSync(join(dir, 'A02_s1.tif'), src.subarray(0, 20000));
    await new Promise((r) => setTimeout(r, 300));
    appendFileSync(join(dir, 'A02_s1.tif'), src.subarray(20000));
    // a file renamed in complete
    copyFileSync(join(BBBC039, 'images', sources[2]), join(dir, '.partial'));
    const { renameSync } = await import('node:fs');
    renameSync(join(dir, '.partial'), join(dir, 'A03_s1.tif'));
    await w.until(() => w.results().length === 3);
    expect(w.results().every((r) => r.status === 'done')).toBe(true);
    expect(await w.stop()).toBe(0);
    const labels = readdirSync(out).filter((f) => f.endsWith('.labels.tif')).sort();
    expect(labels).toEqual(['A01_s1.labels.tif', 'A02_s1.labels.tif', 'A03_s1.labels.tif']);
    const mtimes = labels.map((f) => statSync(join(out, f)).mtimeMs);
    expect(readFileSync(join(out, 'summary.csv'), 'utf8').trim().split('\n')).toHaveLength(4);

    // restart: nothing is redone
    const w2 = startWatch(dir, out);
    await w2.until(() => w2.results().length === 3);
    expect(w2.results().every((r) => r.status === 'skipped')).toBe(true);
    expect(await w2.stop()).toBe(0);
    expect(labels.map((f) => statSync(join(out, f)).mtimeMs)).toEqual(mtimes);
  }, 90_000);
});

describe('watchFolder (library): hostile cases', () => {
  it('a missing folder, a file instead of a folder, or --out equal to the folder: an error at once', async () => {
    const { watchFolder } = await import('../../lib/segment/watch.js');
    const dir = tempDir('nucseg-watch-');
    await expect(watchFolder(join(dir, 'nope'), { out: join(dir, 'o'), model: 'classic' })).rejects.toThrow(/nope: no such folder to watch/);
    writeFileSync(join(dir, 'f.tif'), '');
    await expect(watchFolder(join(dir, 'f.tif'), { out: join(dir, 'o'), model: 'classic' })).rejects.toThrow(/not a folder/);
    await expect(watchFolder(dir, { out: dir, model: 'classic' })).rejects.toThrow(/output folder is the watched folder/);
  });

  it('retries a file that failed (read half-written) once it changes; no abort-listener leak over many polls', async () => {
    const { watchFolder } = await import('../../lib/segment/watch.js');
    const { getEventListeners } = await import('node:events');
    const { utimesSync } = await import('node:fs');
    const dir = tempDir('nucseg-watch-'), out = join(tempDir(), 'out');
    const src = readFileSync(join(BBBC039, 'images', sources[2]));
    const f = join(dir, 'B01_s1.tif');
    writeFileSync(f, src.subarray(0, 30000));
    const old = new Date(Date.now() - 60_000);
    utimesSync(f, old, old); // looks settled: read at once, and fails (truncated)
    const ac = new AbortController();
    const seen: string[] = [];
    let maxListeners = 0;
    const poll = setInterval(() => (maxListeners = Math.max(maxListeners, getEventListeners(ac.signal, 'abort').length)), 5);
    const run = watchFolder(dir, { out, model: 'classic', intervalMs: 20, settleMs: 100, signal: ac.signal, onResult: (r) => seen.push(r.status) });
    const until = async (pred: () => boolean) => {
      for (let t = 0; !pred(); t += 20) {
        if (t > 30000) throw new Error(`timed out: ${seen}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    };
    await until(() => seen.length === 1);
    expect(seen).toEqual(['failed']);
    await new Promise((r) => setTimeout(r, 300)); // many polls: the unchanged failed file is not retried
    expect(seen).toEqual(['failed']);
    writeFileSync(f, src); // the acquisition finishes the file
    await until(() => seen.length === 2);
    ac.abort();
    await run;
    clearInterval(poll);
    expect(seen).toEqual(['failed', 'done']);
    expect(maxListeners).toBeLessThanOrEqual(1);
  });
});
