// Jazzer.js target: model cards (lib/train/card.ts readCard: JSON + the card.schema.json
// check) and what loading a model does with a card that passed (lib/models/load.ts
// loadModel without its cache: the weights sha256 comparison, the Fpn2wsModel / MrcnnModel
// constructor checks, settings() with the post-processing from the card (postFromCard /
// mrcnnPostFromCard) and the model diameter, and the automatic scale).
//
// Input: 1 byte, then either (bit 0 clear) the card file itself, or (bit 0 set) mutations
// (common.mjs mutateJson) of a valid card (bit 1: Mask R-CNN, else FPN2-WS) built from the
// bundled one: schema-valid cards with odd values reach the code after readCard much more
// often than byte-level mutations of the JSON do.
// The card is written as <tmp>/m.card.json next to a fixed stand-in m.onnx; its sha256
// (DUMMY_ONNX_SHA256, also in the seed cards) lets a mutated card get past the sha check.
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findModel } from '../../../dist/lib/models/registry.js';
import { Fpn2wsModel } from '../../../dist/lib/models/fpn2ws.js';
import { MrcnnModel } from '../../../dist/lib/models/mrcnn.js';
import { fileSha256 } from '../../../dist/lib/models/card.js';
import { NucsegError } from '../../../dist/lib/util/errors.js';
import { expectOnlyUserErrors, mutateJson } from './common.mjs';

export const DUMMY_ONNX = 'nucseg fuzz: stand-in for an ONNX file\n';
const dir = mkdtempSync(join(process.env.NUCSEG_FUZZ_TMP ?? tmpdir(), 'nucseg-fuzz-card-'));
const onnx = join(dir, 'm.onnx');
writeFileSync(onnx, DUMMY_ONNX);
const cardPath = join(dir, 'm.card.json');
const DUMMY_ONNX_SHA256 = createHash('sha256').update(DUMMY_ONNX).digest('hex');

// valid cards to mutate: the bundled card, cut down, and a Mask R-CNN variant of it
const bundled = JSON.parse(readFileSync(new URL('../../../models-onnx/nuclei-fpn2ws-dsb.card.json', import.meta.url), 'utf8'));
const fpn = { ...bundled, weights: { onnx: { ...bundled.weights.onnx, sha256: DUMMY_ONNX_SHA256 } }, test: { input_shape: [1, 1, 2, 2], input: [0, 0.5, 1, 0.25], distance: [0, 0, 0, 0], border: [0, 0, 0, 0], tolerance: 0.01 } };
delete fpn.postprocessing_tuning;
const mrcnn = {
  ...fpn,
  architecture: { type: 'mrcnn' },
  outputs: ['boxes', 'scores', 'masks', 'image_index'].map((name) => ({ name, axes: 'k', data_type: 'float32' })),
  postprocessing: { method: 'mask_rcnn_paste', score_threshold: 0.5, mask_threshold: 0.5, merge_overlap: 0.5, min_area: 16, max_area: null },
};

export async function fuzz(data) {
  if (data.length < 1) return;
  if (data[0] & 1) writeFileSync(cardPath, JSON.stringify(mutateJson(data[0] & 2 ? mrcnn : fpn, data.subarray(1), 1 + (data[0] >> 2) % 6)));
  else writeFileSync(cardPath, data.subarray(1));
  await expectOnlyUserErrors(async () => {
    // loadModel's body (lib/models/load.ts), minus the per-process cache
    const { path, card } = await findModel(onnx);
    const sha = await fileSha256(path);
    if (sha !== DUMMY_ONNX_SHA256) throw new Error('stand-in ONNX file changed');
    if (sha !== card.weights.onnx.sha256) throw new NucsegError(`sha256 ${sha.slice(0, 12)}… does not match its card (${card.weights.onnx.sha256.slice(0, 12)}…)`, { file: path });
    let model;
    if (card.architecture.type === 'mrcnn') model = new MrcnnModel(path, card, { sha256: sha });
    else if (card.architecture.type !== 'fpn2ws') throw new NucsegError(`${card.architecture.type} models are not supported`, { file: path });
    else model = new Fpn2wsModel(path, card, { sha256: sha });
    // what a run reads from the card before any inference
    const s = model.settings();
    JSON.stringify(s);
    for (const d of [null, 5, 24, 30, 1000]) {
      const k = model.scaleFor(d);
      if (!(k > 0 && Number.isFinite(k))) throw new Error(`scaleFor(${d}) = ${k}`);
    }
  });
}
