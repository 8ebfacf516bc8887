/**
 * The experiment plan's JSON schema (validated with Ajv by loadPlan) and the training recipe
 * it describes. Every recipe key can also be a factor.
 */

/** One training strategy's settings: what `nucseg augment` and `nucseg train` are given. */
export interface Recipe {
  /** fpn2ws or mrcnn (`train --arch`). */
  arch: 'fpn2ws' | 'mrcnn';
  /** random, imagenet or an .onnx model to fine-tune (`train --init`; a path relative to the plan). */
  init: string;
  /** Training cycles (`train --cycles`). */
  cycles: number;
  /** Augmented ROIs (`augment --rois`). */
  rois: number;
  /** ROI edge (`augment --roi-size`). */
  roi_size: number;
  /** Batch size (`train --batch`). */
  batch: number;
  /** Augmentation preset (`augment --preset`), or a YAML/JSON augmentation config file (`augment --config`; a path relative to the plan). */
  augmentation: string;
  /** ResNet encoder (`train --encoder`). */
  encoder: 'resnet18' | 'resnet34';
  /** Base training seed: replicate i trains with seed + i unless `replicates` lists seeds. */
  seed: number;
  /** Seed of the augmented set (`augment --seed`), the same for every replicate. */
  augment_seed: number;
  /** Training datasets combined into one augmented set (names from `datasets`). */
  sets: string[];
}

/** The augmentation presets a recipe can name (lib/augment/config.ts PRESETS); anything else must be a config file. */
export const AUGMENT_PRESET_NAMES = ['full', 'none', 'min-blur', 'min-contrast', 'min-noise', 'min-scaling'];

const whole = (minimum: number) => ({ type: 'integer', minimum });
const RECIPE_PROPS: Record<keyof Recipe, object> = {
  arch: { enum: ['fpn2ws', 'mrcnn'] },
  init: { type: 'string', minLength: 1 },
  cycles: whole(1),
  rois: whole(1),
  roi_size: { type: 'integer', minimum: 16, maximum: 2048 },
  batch: whole(1),
  augmentation: { anyOf: [{ enum: AUGMENT_PRESET_NAMES }, { type: 'string', pattern: '\\.(ya?ml|json)$' }] },
  encoder: { enum: ['resnet18', 'resnet34'] },
  seed: whole(0),
  augment_seed: whole(0),
  sets: { type: 'array', minItems: 1, uniqueItems: true, items: { type: 'string' } },
};

/** Recipe keys, in the order tables list them. */
export const RECIPE_KEYS = Object.keys(RECIPE_PROPS) as (keyof Recipe)[];

const NAME = '^[A-Za-z0-9][A-Za-z0-9_.-]*$';

export const PLAN_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['datasets', 'baseline'],
  properties: {
    name: { type: 'string', pattern: NAME },
    datasets: {
      type: 'object',
      minProperties: 1,
      propertyNames: { pattern: NAME },
      additionalProperties: {
        type: 'object',
        additionalProperties: false,
        required: ['path'],
        properties: {
          path: { type: 'string', minLength: 1 },
          role: { enum: ['train', 'test', 'both'] },
          include: { type: 'array', minItems: 1, items: { type: 'string', minLength: 1 } },
          exclude: { type: 'array', minItems: 1, items: { type: 'string', minLength: 1 } },
        },
      },
    },
    baseline: { type: 'object', additionalProperties: false, required: ['sets'], properties: RECIPE_PROPS },
    design: { enum: ['one_at_a_time', 'grid'] },
    factors: {
      type: 'object',
      additionalProperties: false,
      properties: Object.fromEntries(RECIPE_KEYS.filter((k) => k !== 'seed').map((k) => [k, { type: 'array', minItems: 1, items: RECIPE_PROPS[k] }])),
    },
    replicates: { oneOf: [{ type: 'integer', minimum: 1, maximum: 100 }, { type: 'array', minItems: 1, items: whole(0) }] },
    test_sets: { type: 'array', minItems: 1, uniqueItems: true, items: { type: 'string' } },
    iou: { type: 'array', minItems: 1, uniqueItems: true, items: { type: 'number', minimum: 0.05, maximum: 1 } },
    python: { type: 'string', minLength: 1 },
    device: { enum: ['cpu', 'auto', 'cuda'] },
  },
} as const;
