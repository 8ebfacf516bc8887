// The bioimage.io model description (rdf.yaml) of a nucseg card, following the bioimage.io
// model spec 0.5 (https://bioimage-io.github.io/spec-bioimage-io/, user_docs/model_descr_v0-5.md;
// the fields as bioimageio.spec's pydantic ModelDescr v0_5 defines them).
import { createHash } from 'node:crypto';
import type { ModelCard } from './card.js';
import { preprocessing } from '../util/definitions.js';
import { VERSION } from '../version.js';

/** The model description format nucseg writes (bioimage.io model spec 0.5.x). */
export const BIOIMAGEIO_FORMAT_VERSION = '0.5.3';

/** The study nucseg follows: its FPN2-WS models and post-processing come from it. */
export const ZAKI_2020 = {
  text: 'Zaki G, Gudla PR, Lee K, Kim J, Ozbun L, Shachar S, Gadkari M, Sun J, Fraser IDC, Franco LM, Misteli T, Pegoraro G. A Deep Learning Pipeline for Nucleus Segmentation. Cytometry Part A 97(12):1248-1264 (2020); preprint bioRxiv 10.1101/2020.04.14.041020',
  doi: '10.1002/cyto.a.24257',
};

/** The files of a package nucseg writes, by role (names inside the zip). */
export const PACKAGE_FILES = { rdf: 'rdf.yaml', readme: 'README.md', cover: 'cover.png' } as const;

/** A file inside the package with its sha256 (hex). */
export interface PackagedFile {
  source: string;
  sha256: string;
}

/** What rdfFromCard needs besides the card: the package's weights and test tensors (by tensor id). */
export interface RdfFiles {
  weights: PackagedFile;
  tests: Record<string, PackagedFile>;
  /** ISO 8601 time of the export. */
  timestamp: string;
}

/** sha256 of bytes, hex (the rdf's `sha256` fields). */
export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** The name of a tensor's test file inside the package. */
export function testTensorName(id: string): string {
  return `test_${id}.npy`;
}

type Axis = Record<string, unknown>;

/** Spec-0.5 axis objects for card axes letters ('bcyx'); `space(id)` gives a space axis' size. */
function axesOf(letters: string, channels: string[], space: (id: string) => unknown): Axis[] {
  return [...letters].map((a) => {
    if (a === 'b') return { type: 'batch' };
    if (a === 'c') return { type: 'channel', channel_names: channels };
    return { type: 'space', id: a, size: space(a) };
  });
}

/**
 * The card without its test arrays (they travel as the package's .npy test tensors, float32,
 * which hold the card's values exactly): what rdf.yaml's config.nucseg.card carries.
 */
export function cardWithoutTestArrays(card: ModelCard): Record<string, unknown> {
  const { input_shape, tolerance } = card.test;
  return { ...card, test: { input_shape, tolerance } };
}

/**
 * The rdf.yaml content (a plain object) for an FPN2-WS card: inputs with nucseg's
 * normalization as preprocessing, the two maps as outputs (sizes following the input), ONNX
 * weights, test tensors, citation, and the whole card under config.nucseg so that importing
 * the package gives the card back.
 *
 * @example
 * ```ts
 * import { findModel, rdfFromCard } from 'nucseg';
 * const { card } = await findModel('nuclei-fpn2ws-dsb-fast');
 * const rdf = rdfFromCard(card, { weights: { source: 'm.onnx', sha256: card.weights.onnx.sha256 }, tests: {}, timestamp: new Date().toISOString() });
 * console.log(rdf.format_version, (rdf.inputs as object[]).length); // '0.5.3' 1
 * ```
 */
export function rdfFromCard(card: ModelCard, files: RdfFiles): Record<string, unknown> {
  const input = card.inputs[0];
  const step = card.tile.multiple_of ?? 1;
  const norm = preprocessing().normalization;
  const test = (id: string) => ({ test_tensor: files.tests[id] });
  return {
    format_version: BIOIMAGEIO_FORMAT_VERSION,
    type: 'model',
    name: card.name,
    description: card.description,
    authors: card.authors,
    cite: [ZAKI_2020],
    license: card.license,
    tags: ['nucleus', 'nuclei', 'segmentation', 'instance-segmentation', 'fluorescence-light-microscopy', '2d', 'onnx', card.architecture.type, 'nucseg'],
    documentation: PACKAGE_FILES.readme,
    covers: [PACKAGE_FILES.cover],
    timestamp: files.timestamp,
    inputs: [
      {
        id: input.name,
        description: 'one fluorescence channel (nuclear stain), normalized per field',
        axes: axesOf(input.axes, ['nuclei'], () => ({ min: step, step })),
        data: { type: input.data_type },
        ...test(input.name),
        preprocessing: [
          { id: 'scale_range', kwargs: { axes: ['y', 'x'], min_percentile: norm.low_percentile, max_percentile: norm.high_percentile } },
          { id: 'clip', kwargs: { min: 0, max: 1 } },
        ],
      },
    ],
    outputs: card.outputs.map((o) => ({
      id: o.name,
      description: String((o as Record<string, unknown>).description ?? o.name).slice(0, 128),
      axes: axesOf(o.axes, [o.name], (a) => ({ tensor_id: input.name, axis_id: a })),
      data: { type: o.data_type, range: [0, 1] },
      ...test(o.name),
    })),
    weights: { onnx: { ...files.weights, opset_version: card.weights.onnx.opset_version } },
    config: { nucseg: { version: VERSION, card: cardWithoutTestArrays(card) } },
  };
}
