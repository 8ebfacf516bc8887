// Jazzer.js target: the TIFF structure guard alone (lib/image/tiff-guard.ts,
// checkTiffStructure), which walks the IFD chain of untrusted bytes before geotiff.js sees
// them. Synchronous and cheap, so it gets many more executions than decode-image.
import { checkTiffStructure } from '../../../dist/lib/image/tiff-guard.js';
import { expectOnlyUserErrors } from './common.mjs';

export function fuzz(data) {
  expectOnlyUserErrors(() => checkTiffStructure(data, 'fuzz.tif'));
}
