import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ImageData } from '../../lib/image/types.js';
import type { ModelCard } from '../../lib/models/card.js';
import { MrcnnModel } from '../../lib/models/mrcnn.js';
import { tileGrid, type Tile } from '../../lib/models/tiling.js';
import { BBBC039 } from '../helpers/data.js';
import { readNpy } from '../helpers/npy.js';
import { python, tempDir } from '../helpers/tools.js';

// MrcnnModel's post-processing of a network's raw outputs (boxes, scores, masks, image_index
// per batch of tiles) into one label image, checked against a NumPy/scikit-image
// re-implementation written from the documented rules (lib/models/mrcnn.ts,
// lib/kernels/instances.ts, lib/kernels/components.ts), not from the native code:
//   per tile: detections with score >= score_threshold pasted best score first, a pixel taken
//     stays taken, mask > mask_threshold; ids 1..n in score order
//   across tiles (grid order): a tile instance whose largest overlap with one canvas label
//     (ties: smaller id), inside the tile, is >= merge_overlap x the smaller of the two joins
//     it, else it gets the next id; it only claims canvas pixels still 0
//   then: crop of the padded canvas, each label's largest 8-connected piece (ties: first in
//     raster order), area < min_area and > max_area removed, ids renumbered in order.
// The raw outputs are made from real ground truth (BBBC039), with noisy masks, random scores
// (some under the threshold), duplicates, tiny detections and detached fragments. Boxes are
// M x M on whole pixels, so each pixel centre samples one mask cell (mask values stay >= 0.1
// from the threshold): the bilinear sampling itself is the kernel tests' (test/kernels/instances).

const T = 128, OVERLAP = 32, M = 40, BATCH = 2;
const post = { method: 'mrcnn', score_threshold: 0.5, mask_threshold: 0.5, merge_overlap: 0.5, min_area: 30, max_area: 900 };

function card(): ModelCard {
  return {
    format_version: 'nucseg.card/1',
    name: 'fake-mrcnn',
    description: 'raw outputs supplied by the test',
    architecture: { type: 'mrcnn' },
    inputs: [{ name: 'image', axes: 'bchw', data_type: 'float32' }],
    outputs: ['boxes', 'scores', 'masks', 'image_index'].map((name) => ({ name, axes: '', data_type: 'float32' })),
    tile: { size: T, overlap: OVERLAP },
    postprocessing: post,
    training: {},
    validation: {},
    weights: { onnx: { source: '', sha256: '0'.repeat(64), opset_version: 17 } },
    test: { input_shape: [], input: [], tolerance: 0 },
  };
}

interface TileDetections {
  boxes: number[];
  scores: number[];
  masks: number[];
}

type Raw = Record<string, { data: Float32Array; dims: number[] }>;

/** An MrcnnModel whose "network" returns the given detections per tile, in batches of BATCH. */
class ScriptedMrcnn extends MrcnnModel {
  tilesSeen: Tile[] = [];
  constructor(
    private readonly perTile: TileDetections[],
    private readonly edit: (raw: Raw) => Raw = (r) => r,
  ) {
    super('scripted.onnx', card());
  }

  protected override async *runTiles(image: ImageData<Float32Array>) {
    const PW = Math.max(image.width, T), PH = Math.max(image.height, T);
    const tiles = tileGrid(PW, PH, T, OVERLAP);
    for (let t0 = 0; t0 < tiles.length; t0 += BATCH) {
      const group = tiles.slice(t0, t0 + BATCH);
      this.tilesSeen.push(...group);
      const boxes: number[] = [], scores: number[] = [], masks: number[] = [], index: number[] = [];
      group.forEach((_, g) => {
        const d = this.perTile[t0 + g];
        boxes.push(...d.boxes);
        scores.push(...d.scores);
        masks.push(...d.masks);
        index.push(...d.scores.map(() => g));
      });
      const K = scores.length;
      const raw: Raw = {
        boxes: { data: Float32Array.from(boxes), dims: [K, 4] },
        scores: { data: Float32Array.from(scores), dims: [K] },
        masks: { data: Float32Array.from(masks), dims: [K, 1, M, M] },
        image_index: { data: Float32Array.from(index), dims: [K] },
      };
      yield { tiles: group, out: this.edit(raw) as never, size: T };
    }
  }
}

/** Raw outputs from a real ground-truth crop (W x H, reflect-padded to the tiled area) and the reference labels. */
function scenario(W: number, H: number, seed: number) {
  const d = tempDir();
  const gt = join(BBBC039, 'labels', readdirSync(join(BBBC039, 'labels')).sort()[2]);
  const tiles = tileGrid(Math.max(W, T), Math.max(H, T), T, OVERLAP).map((t) => [t.x, t.y]);
  writeFileSync(join(d, 'tiles.json'), JSON.stringify(tiles));
  const stats = python(
    `import sys, json, numpy as np, tifffile
from scipy import ndimage as ndi
from skimage.measure import label as cc_label
gt, d, W, H, T, M, seed = sys.argv[1], sys.argv[2], *map(int, sys.argv[3:8])
post = json.loads(sys.argv[8])
tiles = json.load(open(d + '/tiles.json'))
lab = tifffile.imread(gt).astype(np.int64)[60:60 + H, 80:80 + W]
PH, PW = max(H, T), max(W, T)
P = np.pad(lab, ((0, PH - H), (0, PW - W)), mode='symmetric')
rng = np.random.default_rng(seed)

# --- raw outputs: one detection per visible nucleus, plus duplicates, specks and fragments
dets = []
for x, y in tiles:
    crop = P[y:y + T, x:x + T]
    D = []
    def add(inside, bx0, by0, score):
        m = np.where(inside, rng.uniform(0.6, 1, (M, M)), rng.uniform(0, 0.4, (M, M)))
        D.append(([bx0, by0, bx0 + M, by0 + M], score, m))
    for k in np.unique(crop)[1:]:
        ys, xs = np.nonzero(crop == k)
        h, w = ys.max() - ys.min() + 1, xs.max() - xs.min() + 1
        if h > M or w > M: continue
        bx0, by0 = xs.min() - rng.integers(0, M - w + 1), ys.min() - rng.integers(0, M - h + 1)
        big = np.zeros((T + 2 * M, T + 2 * M), bool); big[M:M + T, M:M + T] = crop == k
        inside = big[by0 + M:by0 + 2 * M, bx0 + M:bx0 + 2 * M].copy()
        r = rng.uniform()
        if r < 0.15:   # a detached fragment in a corner of the box
            inside[:2, :2] = True
        add(inside, bx0, by0, rng.uniform(0.3, 1))
        if r > 0.85:   # the same nucleus again, shifted, with a lower score
            add(np.roll(inside, 2, axis=1), bx0, by0, rng.uniform(0.5, 0.6))
    for _ in range(2):  # specks under min_area
        sp = np.zeros((M, M), bool); sp[10:13, 10:13] = True
        add(sp, int(rng.integers(-20, T - 20)), int(rng.integers(-20, T - 20)), rng.uniform(0.5, 1))
    order = rng.permutation(len(D))
    D = [D[i] for i in order]
    dets.append({'boxes': [float(v) for b, _, _ in D for v in b], 'scores': [float(np.float32(s)) for _, s, _ in D],
                 'masks': [float(v) for _, _, m in D for v in m.astype(np.float32).ravel()]})
json.dump(dets, open(d + '/dets.json', 'w'))

# --- reference post-processing, from the documented rules
def paste(det):
    out = np.zeros((T, T), np.int64)
    boxes = np.array(det['boxes'], np.float64).reshape(-1, 4); scores = np.array(det['scores'], np.float32)
    masks = np.array(det['masks'], np.float32).reshape(-1, M, M)
    n = 0
    for i in sorted(range(len(scores)), key=lambda i: -scores[i]):
        if not scores[i] >= post['score_threshold']: break
        x0, y0, x1, y1 = boxes[i].astype(int)
        n += 1
        xa, xb, ya, yb = max(0, x0), min(T, x1), max(0, y0), min(T, y1)
        if xa >= xb or ya >= yb: continue
        on = masks[i][ya - y0:yb - y0, xa - x0:xb - x0] > post['mask_threshold']
        region = out[ya:yb, xa:xb]
        region[on & (region == 0)] = n
    return out
canvas = np.zeros((PH, PW), np.int64); nxt = 1
for (x, y), det in zip(tiles, dets):
    tl = paste(det); c = canvas[y:y + T, x:x + T]; before = c.copy(); to = {}
    for t in np.unique(tl)[1:]:
        m = tl == t
        ids, cnt = np.unique(before[m & (before > 0)], return_counts=True)
        if len(ids):
            j = int(np.argmax(cnt))
            if cnt[j] >= post['merge_overlap'] * min(m.sum(), (before == ids[j]).sum()):
                to[t] = ids[j]; continue
        to[t] = nxt; nxt += 1
    for t, v in to.items():
        c[(tl == t) & (before == 0)] = v
out = canvas[:H, :W].copy()
for k, sl in enumerate(ndi.find_objects(out), start=1):
    if sl is None: continue
    m = out[sl] == k
    pieces = cc_label(m, connectivity=2)
    sizes = np.bincount(pieces.ravel())[1:]
    keep = 1 + int(np.argmax(sizes))
    out[sl][m & (pieces != keep)] = 0
area = np.bincount(out.ravel())
bad = (area < post['min_area']) | (area > post['max_area']); bad[0] = False
out[bad[out]] = 0
ids = np.unique(out)[1:]
lut = np.zeros(out.max() + 1, np.int64); lut[ids] = np.arange(1, len(ids) + 1)
np.save(d + '/ref.npy', lut[out].astype(np.uint32))
print(json.dumps({'merged': int(nxt - 1), 'final': int(len(ids))}))`,
    [gt, d, String(W), String(H), String(T), String(M), String(seed), JSON.stringify(post)],
  );
  const perTile = JSON.parse(readFileSync(join(d, 'dets.json'), 'utf8')) as TileDetections[];
  return { perTile, ref: readNpy(join(d, 'ref.npy')), tiles, stats: JSON.parse(stats) as { merged: number; final: number } };
}

describe('Mask R-CNN post-processing of raw outputs (MrcnnModel)', () => {
  for (const [W, H, seed] of [
    [460, 100, 1], // wider than a tile, shorter: padded below, 5 tiles in batches of 2
    [300, 290, 2], // tiles in both directions
  ] as const)
    it(`equals the NumPy/scikit-image reference on a real ${W}x${H} ground-truth crop`, async () => {
      const { perTile, ref, tiles, stats } = scenario(W, H, seed);
      const model = new ScriptedMrcnn(perTile);
      const labels = await model.segment({ data: new Float32Array(W * H), width: W, height: H }, { threads: 2, diameter: null });
      expect(model.tilesSeen.map((t) => [t.x, t.y])).toEqual(tiles);
      expect([labels.width, labels.height]).toEqual([W, H]);
      let differ = 0, n = 0;
      for (let i = 0; i < ref.data.length; i++) {
        if (labels.data[i] !== ref.data[i]) differ++;
        n = Math.max(n, ref.data[i]);
      }
      // a real test case: 14 and 34 nuclei left of 22 and 57 instances after merging (specks,
      // duplicates' leftovers and the largest nuclei removed by the area limits)
      expect(n).toBe(stats.final);
      expect(stats.final).toBeGreaterThan(10);
      expect(stats.merged).toBeGreaterThan(stats.final);
      expect(differ).toBe(0);
    });

  it('malformed raw outputs are errors naming the model file', async () => {
    const { perTile } = scenario(300, 100, 3);
    const im = { data: new Float32Array(300 * 100), width: 300, height: 100 };
    const shortMasks = new ScriptedMrcnn(perTile, (r) => ({ ...r, masks: { data: r.masks.data.subarray(1), dims: r.masks.dims } }));
    await expect(shortMasks.segment(im, { threads: 1, diameter: null })).rejects.toThrow(/scripted\.onnx: model output has the wrong shape/);
    const unordered = new ScriptedMrcnn(perTile, (r) => ({ ...r, image_index: { data: r.image_index.data.slice().reverse(), dims: r.image_index.dims } }));
    await expect(unordered.segment(im, { threads: 1, diameter: null })).rejects.toThrow(/image_index is not grouped by image in batch order/);
  });
});
