// .npy reader for the benchmark inputs (2-D, C order): nucseg's own decoder (lib/util/npy.ts).
import { readFileSync } from 'node:fs';
import { decodeNpy } from '../../dist/lib/index.js';

export function readNpy(path) {
  const { data, shape } = decodeNpy(readFileSync(path), path);
  return { data, width: shape[1], height: shape[0] };
}
