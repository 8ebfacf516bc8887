// Jazzer.js target: augment configs (lib/augment/config.ts loadConfig: a JSON or YAML file
// over a preset, then validateConfig) and, for a config that passes, one augmented ROI from
// the native augmentRois with it (lib/kernels/augment.ts), as nucseg augment does: a config
// validateConfig accepts must not make the kernel fail with anything but a NucsegError.
// Input: 1 byte (bit 0: JSON, else YAML; bits 1-3: the preset; bit 4: structured), then the
// file, or (structured) mutations (common.mjs mutateJson) of the default config, written as
// that file: configs with odd values in every field, which byte-level mutations of YAML
// reach slowly.
// The ROI edge is capped at 64 px for speed (the code paths do not depend on it).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify as toYaml } from 'yaml';
import { DEFAULT_CONFIG, loadConfig, PRESETS as AUGMENT_PRESETS } from '../../../dist/lib/augment/config.js';
import { augmentRois } from '../../../dist/lib/kernels/augment.js';
import { expectOnlyUserErrors, known, mutateJson } from './common.mjs';

const dir = mkdtempSync(join(process.env.NUCSEG_FUZZ_TMP ?? tmpdir(), 'nucseg-fuzz-augment-'));
const yamlPath = join(dir, 'augment.yaml'), jsonPath = join(dir, 'augment.json');
const presets = Object.keys(AUGMENT_PRESETS);

// A 48 x 40 field with a few nuclei, normalized to 0..1.
const W = 48, H = 40;
const image = new Float32Array(W * H), labels = new Uint32Array(W * H);
for (let y = 0; y < H; y++)
  for (let x = 0; x < W; x++) {
    const i = y * W + x;
    const k = (Math.floor(x / 12) + 4 * Math.floor(y / 10)) % 7;
    const inside = (x % 12) > 2 && (x % 12) < 10 && (y % 10) > 1 && (y % 10) < 8;
    labels[i] = inside ? k + 1 : 0;
    image[i] = inside ? 0.6 + 0.05 * k : 0.05 * ((x * 7 + y * 3) % 5);
  }

export async function fuzz(data) {
  if (data.length < 1) return;
  const file = data[0] & 1 ? jsonPath : yamlPath;
  const preset = presets[((data[0] >> 1) & 7) % presets.length];
  if (data[0] & 0x10) {
    const c = mutateJson(DEFAULT_CONFIG, data.subarray(1), 1 + (data[0] >> 5));
    writeFileSync(file, data[0] & 1 ? JSON.stringify(c) : toYaml(c));
  } else {
    writeFileSync(file, data.subarray(1));
  }
  const cfg = await expectOnlyUserErrors(() => loadConfig({ preset, file }));
  if (!cfg) return;
  const run = { ...cfg, roi: Math.min(cfg.roi, 64) };
  // known native findings (docs/fuzzing.md): skip the kernel call for configs that hit them
  if (known('augment-gaussian-sigma') && !(cfg.gaussianSigma[1] * 4 + 0.5 < 2 ** 30)) return;
  if (known('augment-saturation-cast') && !(Math.abs(cfg.saturation[0]) < 1e15 && Math.abs(cfg.saturation[1]) < 1e15)) return;
  if (known('augment-int-range-cast') && !(cfg.claheTiles[1] < 2 ** 31 && cfg.medianK[1] < 2 ** 31)) return;
  const sources = cfg.scales.slice(0, 3).map((zoom, i) => ({ image: { data: image, width: W, height: H }, labels: { data: labels, width: W, height: H }, set: 0, split: i % 2, zoom }));
  expectOnlyUserErrors(() => augmentRois(sources, new Uint8Array([0, 0]), new Uint8Array([0, 1]), run, data.length, 0, { threads: 1 }));
}
