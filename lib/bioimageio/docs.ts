// The human side of a bioimage.io package: README.md (the spec's `documentation`, with the
// instance post-processing other tools need to reproduce nucseg's nuclei) and the cover image.
import type { ImageData, LabelImage } from '../image/types.js';
import { readImage } from '../image/read.js';
import { segment } from '../segment/segment.js';
import { normalizeImage } from '../segment/normalize.js';
import { renderOverlay } from '../segment/outputs.js';
import { preprocessing } from '../util/definitions.js';
import { VERSION } from '../version.js';
import type { ModelCard } from '../models/card.js';
import { fpn2wsInstances, postFromCard } from '../models/fpn2ws.js';
import { modelDiameter } from '../models/scale.js';
import type { InferenceDevice } from '../models/onnx.js';
import { ZAKI_2020 } from '../models/bioimageio-rdf.js';

const json = (v: unknown) => `\`${JSON.stringify(v)}\``;
const AXIS: Record<string, string> = { b: 'batch', c: 'channel', y: 'y', x: 'x' };
const axisNames = (axes: string) => [...axes].map((a) => AXIS[a] ?? a).join(', ');

/** Markdown rows `| key | value |` for an object's entries. */
function table(o: Record<string, unknown>, head: [string, string]): string {
  return [`| ${head[0]} | ${head[1]} |`, '|---|---|', ...Object.entries(o).map(([k, v]) => `| \`${k}\` | ${json(v)} |`)].join('\n');
}

/** The preprocessing section: nucseg's normalization, from models-onnx/preprocessing.json. */
function inputSection(card: ModelCard): string {
  const n = preprocessing().normalization;
  const i = card.inputs[0];
  const diam = modelDiameter(card);
  return `## Input

Tensor \`${i.name}\`: axes ${axisNames(i.axes)}, ${i.data_type}, one channel (the nuclear stain); y and x multiples of ${card.tile.multiple_of ?? 1}.

Preprocessing (nucseg \`normalizeImage\`, one definition in models-onnx/preprocessing.json: ${json(n)}), once per whole field before tiling:

1. lo = percentile ${n.low_percentile} and hi = percentile ${n.high_percentile} of the field's pixels (linear interpolation, as numpy.percentile);
2. noise floor: hi is raised to at least lo + ${n.min_range_sigma} σ, where σ = median − 15.87th percentile (the background noise), so that a field without nuclei is not stretched until its noise looks like nuclei;
3. x → (x − lo) / (hi − lo), clipped to [0, 1].

rdf.yaml states steps 1 and 3 as \`scale_range\` and \`clip\`; the noise floor has no bioimage.io equivalent and only changes fields with few or no nuclei.

nucseg runs the model on tiles of ${card.tile.size} px overlapping by ${card.tile.overlap} px (each output pixel is taken from the tile that owns it, so the maps have no seams; fields smaller than a tile are reflect-padded). Nucleus size: fields whose estimated nucleus diameter lies in ${json(diam.no_rescale_px)} px run as they are, others are resized so that their nuclei are ${diam.median_px} px across, and the maps resized back (bilinear) before post-processing.
`;
}

/** The post-processing section: the seeded watershed and the card's parameters. */
function postSection(card: ModelCard): string {
  const p = card.postprocessing;
  const d = card.outputs.map((o) => o.name);
  return `## Instance post-processing (seeded watershed)

The outputs are maps (${d.join(', ')}), not nuclei. nucseg makes nuclei from them with \`fpn2wsInstances\` (lib/models/fpn2ws.ts), using the card's \`postprocessing\`:

${table(p, ['parameter', 'value'])}

1. seeds: distance > \`seed_threshold\`, closed (binary closing) with a disk of radius \`seed_closing_radius\`, labelled 8-connected;
2. foreground: distance > \`foreground_threshold\`, or a seed;
3. elevation \`${String(p.elevation ?? 'border - distance')}\`; a seeded watershed (4-connected) floods it from the seeds inside the foreground;
4. nuclei smaller than \`min_area\` px are removed (\`max_area\` null: no upper bound), and labels renumbered 1..n.

Sizes are in model pixels: when nucseg resizes a field by s, the closing radius becomes round(radius / s) and min_area round(min_area / s²) on the field's own grid. The same steps with scikit-image:

\`\`\`python
from skimage.measure import label
from skimage.morphology import binary_closing, disk, remove_small_objects
from skimage.segmentation import relabel_sequential, watershed

def nuclei(distance, border, seed_threshold=${p.seed_threshold}, seed_closing_radius=${p.seed_closing_radius}, foreground_threshold=${p.foreground_threshold}, min_area=${p.min_area ?? 0}):
    seeds = distance > seed_threshold
    if seed_closing_radius > 0:
        seeds = binary_closing(seeds, disk(seed_closing_radius))
    markers = label(seeds, connectivity=2)
    foreground = (distance > foreground_threshold) | seeds
    labels = watershed(border - distance, markers, mask=foreground, connectivity=1)
    if min_area > 0:
        labels = remove_small_objects(labels, min_area)
    return relabel_sequential(labels)[0]
\`\`\`
`;
}

/** The validation section (the spec asks for one): the card's scores and the test tensors. */
function validationSection(card: ModelCard): string {
  const rows = Object.entries(card.validation).map(([k, v]) => `| ${k} | ${v['f1@0.5'].toFixed(3)} | ${v['f1@0.7'].toFixed(3)} | ${v['f1@0.9'].toFixed(3)} | ${String((v as Record<string, unknown>).fields ?? '')} |`);
  return `## Validation

F1 of matched nuclei (IoU ≥ 0.5, 0.7, 0.9) after the post-processing above, from the model card:

| set | F1@0.5 | F1@0.7 | F1@0.9 | fields |
|---|---|---|---|---|
${rows.join('\n')}

The test tensors (\`test_*.npy\`) reproduce with ONNX Runtime within ${card.test.tolerance} (largest absolute difference; \`nucseg models verify <package.zip>\` checks it).
`;
}

/**
 * README.md of a bioimage.io package: the model, its input and nucseg's normalization, the
 * outputs, the seeded watershed that makes nuclei (parameters from the card, with a
 * scikit-image version), validation scores, citation and how to run it with nucseg.
 *
 * @example
 * ```ts
 * import { findModel, packageReadme } from 'nucseg';
 * const { card } = await findModel('nuclei-fpn2ws-dsb-fast');
 * console.log(packageReadme(card).split('\n')[0]); // '# nuclei-fpn2ws-dsb-fast'
 * ```
 */
export function packageReadme(card: ModelCard): string {
  const outs = card.outputs.map((o) => `| \`${o.name}\` | ${axisNames(o.axes)} | ${o.data_type} | ${String((o as Record<string, unknown>).description ?? '')} |`);
  return `# ${card.name}

${card.description}

Exported by nucseg ${VERSION} (\`nucseg models export ${card.name} --format bioimageio\`); rdf.yaml follows the bioimage.io model spec 0.5, and its \`config.nucseg.card\` holds nucseg's model card (\`nucseg models import\` gives it back).

${inputSection(card)}
## Outputs

| tensor | axes | type | meaning |
|---|---|---|---|
${outs.join('\n')}

${postSection(card)}
${validationSection(card)}
## Training

${json(card.training.data ?? null)}; architecture ${json(card.architecture)}.

## Citation

${ZAKI_2020.text}. doi:${ZAKI_2020.doi}

## Running it with nucseg

\`\`\`sh
nucseg segment images/ --model ${card.name}.zip --out results/   # or: nucseg models import ${card.name}.zip --out models/
\`\`\`
`;
}

/** Nearest-neighbour enlargement by an integer factor. */
function enlarge<T extends ImageData>(im: T, k: number): T {
  if (k === 1) return im;
  const W = im.width * k, H = im.height * k;
  const data = new (im.data.constructor as new (n: number) => T['data'])(W * H);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) data[y * W + x] = im.data[Math.floor(y / k) * im.width + Math.floor(x / k)];
  return { ...im, data, width: W, height: H };
}

/** The central square (side at most `max`) of an image and its labels, the image stretched to 0..1 for display. */
function centralSquare(im: ImageData<Float32Array>, labels: LabelImage, max: number): { image: ImageData<Float32Array>; labels: LabelImage } {
  const S = Math.min(im.width, im.height, max);
  const x0 = (im.width - S) >> 1, y0 = (im.height - S) >> 1;
  const img = new Float32Array(S * S), lab = new (labels.data.constructor as new (n: number) => LabelImage['data'])(S * S);
  for (let y = 0; y < S; y++)
    for (let x = 0; x < S; x++) {
      img[y * S + x] = im.data[(y0 + y) * im.width + x0 + x];
      lab[y * S + x] = labels.data[(y0 + y) * im.width + x0 + x];
    }
  let top = 0;
  for (const v of img) top = Math.max(top, v);
  if (top > 0) for (let i = 0; i < img.length; i++) img[i] /= top;
  return { image: { data: img, width: S, height: S }, labels: { data: lab, width: S, height: S } as LabelImage };
}

/**
 * A 2:1 cover PNG: a square of a real field and the same square with the nuclei the model
 * finds outlined. With `field`, that image is segmented with the model (`model`: a name or
 * .onnx path that loadModel accepts); without, the card's test input (a crop of a training
 * field) and the instances made from the card's test outputs.
 *
 * @example
 * ```ts
 * import { writeFile } from 'node:fs/promises';
 * import { findModel, packageCover } from 'nucseg';
 * const { card } = await findModel('nuclei-fpn2ws-dsb-fast');
 * await writeFile('cover.png', await packageCover(card, 'nuclei-fpn2ws-dsb-fast', { field: 'examples/fields/images/dsb-3ebd2ab3.tif', device: 'cpu' }));
 * ```
 */
export async function packageCover(card: ModelCard, model: string, opts: { field?: string; device?: InferenceDevice } = {}): Promise<Buffer> {
  let image: ImageData<Float32Array>, labels: LabelImage;
  if (opts.field) {
    const field = await readImage(opts.field);
    image = normalizeImage(field);
    labels = (await segment(field, { model, device: opts.device })).labels;
  } else {
    const [, , h, w] = card.test.input_shape;
    const map = (k: string) => ({ data: Float32Array.from(card.test[k] as number[]), width: w, height: h });
    image = map('input');
    labels = fpn2wsInstances(map('distance'), map('border'), postFromCard(card));
  }
  const sq = centralSquare(image, labels, 256);
  const S = sq.image.width;
  const wide = new Float32Array(2 * S * S), wideLabels = new (sq.labels.data.constructor as new (n: number) => LabelImage['data'])(2 * S * S);
  for (let y = 0; y < S; y++) {
    wide.set(sq.image.data.subarray(y * S, (y + 1) * S), y * 2 * S);
    wide.set(sq.image.data.subarray(y * S, (y + 1) * S), y * 2 * S + S);
    wideLabels.set(sq.labels.data.subarray(y * S, (y + 1) * S), y * 2 * S + S);
  }
  const k = Math.max(1, Math.floor(256 / S));
  return renderOverlay(enlarge({ data: wide, width: 2 * S, height: S }, k), enlarge({ data: wideLabels, width: 2 * S, height: S } as LabelImage, k));
}
