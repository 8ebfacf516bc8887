import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
/** The repository root and the shared data beside it (../shared relative to the repo). */
export const REPO = resolve(here, '..', '..');
export const SHARED = process.env.NUCSEG_SHARED ?? resolve(REPO, '..', 'shared');
export const DSB = join(SHARED, 'data', 'dsb2018-fluo');
export const BBBC039 = join(SHARED, 'data', 'bbbc039-small');

if (!existsSync(DSB)) {
  throw new Error(`shared data not found at ${SHARED} (set NUCSEG_SHARED)`);
}

export interface ManifestRow {
  id: string;
  width: number;
  height: number;
  n_nuclei: number;
}

export function dsbManifest(): ManifestRow[] {
  const lines = readFileSync(join(DSB, 'manifest.csv'), 'utf8').trim().split('\n');
  const head = lines[0].split(',');
  return lines.slice(1).map((l) => {
    const c = l.split(',');
    const get = (k: string) => c[head.indexOf(k)];
    return { id: get('id'), width: Number(get('width')), height: Number(get('height')), n_nuclei: Number(get('n_nuclei')) };
  });
}

/** `n` DSB label files, a deterministic spread over sizes, preferring crowded fields. */
export function dsbLabelFiles(n: number): string[] {
  const rows = dsbManifest().sort((a, b) => b.n_nuclei - a.n_nuclei || (a.id < b.id ? -1 : 1));
  const step = Math.max(1, Math.floor(rows.length / n));
  const picked: string[] = [];
  for (let i = 0; i < rows.length && picked.length < n; i += step) picked.push(join(DSB, 'train', 'labels', `${rows[i].id}.tif`));
  return picked;
}
