import { mkdtemp, mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expandImages, findImages } from '../../lib/image/discover.js';

let dir: string;

beforeAll(async () => {
  // in/a.tif, in/sub/b.tif, and links: sub/loop -> .. , self -> in (absolute), sub/alias.tif -> ../a.tif
  dir = await mkdtemp(join(tmpdir(), 'nucseg-discover-'));
  const input = join(dir, 'in');
  await mkdir(join(input, 'sub'), { recursive: true });
  await writeFile(join(input, 'a.tif'), 'x');
  await writeFile(join(input, 'sub', 'b.tif'), 'x');
  await symlink('..', join(input, 'sub', 'loop'));
  await symlink(input, join(input, 'self'));
  await symlink('../a.tif', join(input, 'sub', 'alias.tif'));
  await mkdir(join(dir, 'other'));
  // several links back to the top at every level: 4^depth paths if loops were walked
  const fan = join(dir, 'fan');
  await mkdir(join(fan, 'x'), { recursive: true });
  await writeFile(join(fan, 'x', 'c.png'), 'x');
  for (const l of ['l1', 'l2', 'l3', 'l4']) await symlink('..', join(fan, 'x', l));
  await symlink(join(input, 'sub'), join(dir, 'other', 'deep'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('expandImages with symbolic links', () => {
  it('follows each real file once through link loops', async () => {
    const found = await expandImages(join(dir, 'in'));
    expect(found.map((f) => f.rel).sort()).toEqual(['a.tif', join('sub', 'b.tif')]);
    expect((await findImages(join(dir, 'in'))).length).toBe(2);
  });

  it('dedupes a file given directly and reached through a link', async () => {
    const found = await expandImages([join(dir, 'in', 'sub', 'alias.tif'), join(dir, 'in'), join(dir, 'other')]);
    expect(found).toHaveLength(2);
  });

  it('does not walk fans of links back up the tree', async () => {
    const found = await expandImages([join(dir, 'fan'), join(dir, 'fan', '**', '*.png')]);
    expect(found.map((f) => f.rel)).toEqual([join('x', 'c.png')]);
  });

  it('still reads images that only a link leads to', async () => {
    const found = await expandImages(join(dir, 'other'));
    // the shortest way to each real file names it
    expect(found.map((f) => f.rel).sort()).toEqual([join('deep', 'alias.tif'), join('deep', 'b.tif')]);
  });
});
