import { describe, expect, it } from 'vitest';
import { tileGrid } from '../../lib/models/tiling.js';
import { NucsegError } from '../../lib/util/errors.js';

function checkPartition(w: number, h: number, size: number, overlap: number) {
  const tiles = tileGrid(w, h, size, overlap);
  const owner = new Uint8Array(w * h);
  for (const t of tiles) {
    expect(t.x >= 0 && t.y >= 0 && t.x + t.width <= w && t.y + t.height <= h).toBe(true);
    for (let y = t.own.y0; y < t.own.y1; y++) for (let x = t.own.x0; x < t.own.x1; x++) owner[y * w + x]++;
  }
  expect(owner.every((v) => v === 1)).toBe(true);
  return tiles;
}

describe('tileGrid step', () => {
  it('an overlap of tile − 1 (the --tile 64 default) no longer makes a 1 px step', () => {
    // was 937² = 877,969 tiles of 64 px for a 1000² field
    const tiles = checkPartition(1000, 1000, 64, 63);
    const xs = [...new Set(tiles.map((t) => t.x))].sort((a, b) => a - b);
    for (let i = 1; i < xs.length - 1; i++) expect(xs[i] - xs[i - 1]).toBeGreaterThanOrEqual(32);
    expect(tiles.length).toBeLessThanOrEqual(32 * 32);
  });

  it('the step is at least half the tile for any overlap below the tile size', () => {
    for (const [size, overlap] of [[64, 40], [65, 64], [100, 51], [2048, 2047], [7, 6]]) {
      const tiles = checkPartition(503, 301, size, overlap);
      const xs = [...new Set(tiles.map((t) => t.x))].sort((a, b) => a - b);
      // the last tile is placed flush with the border and may be closer to its neighbour
      for (let i = 1; i < xs.length - 1; i++) expect(xs[i] - xs[i - 1]).toBeGreaterThanOrEqual(Math.ceil(size / 2));
    }
  });

  it('keeps an overlap of at most half the tile unchanged', () => {
    const xs = [...new Set(tileGrid(1000, 10, 256, 100).map((t) => t.x))];
    expect(xs).toEqual([0, 156, 312, 468, 624, 744]);
  });

  it('rejects an overlap >= the tile size with a clear message', () => {
    expect(() => tileGrid(100, 100, 64, 64)).toThrow(NucsegError);
    expect(() => tileGrid(100, 100, 64, 64)).toThrow(/overlap/);
  });
});
