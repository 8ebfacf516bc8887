// Jazzer.js target: plate metadata from file names (lib/segment/plate.ts): a user's
// --name-pattern (compileNamePattern) and file names from a folder (parsePlateName with that
// pattern and with the built-in Yokogawa / Molecular Devices patterns).
// Input: pattern bytes, 0x00, file name bytes (both read as UTF-8; the name is cut to 255
// bytes, the longest file name most file systems allow).
import { compileNamePattern, parsePlateName } from '../../../dist/lib/segment/plate.js';
import { expectOnlyUserErrors, splitAtNul } from './common.mjs';

const dec = new TextDecoder();

export function fuzz(data) {
  const [p, n] = splitAtNul(data);
  const pattern = dec.decode(p);
  const name = dec.decode(n.subarray(0, 255));
  parsePlateName(name);
  parsePlateName(`/plates/run1/${name}`);
  const re = expectOnlyUserErrors(() => compileNamePattern(pattern));
  if (re) {
    const info = parsePlateName(name, re);
    for (const k of ['column', 'field', 'z', 'timepoint']) {
      if (info[k] !== undefined && typeof info[k] !== 'number') throw new Error(`${k} is not a number: ${info[k]}`);
    }
  }
}
