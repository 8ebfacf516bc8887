import { describe, expect, it } from 'vitest';
import { parseThresholds } from '../../lib/cli/parse.js';
import { NucsegError } from '../../lib/util/errors.js';

describe('parseThresholds', () => {
  it('parses lists and ranges on the 1/10000 grid', () => {
    expect(parseThresholds('0.5,0.7, 0.9')).toEqual([0.5, 0.7, 0.9]);
    expect(parseThresholds('0.5:0.05:0.95')).toEqual([0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95]);
    expect(parseThresholds('0.0001:0.001:1')).toHaveLength(1000);
  });

  it('rejects a step that rounds to zero (was an endless loop and a V8 crash)', () => {
    expect(() => parseThresholds('0.5:0.00001:0.95')).toThrow(NucsegError);
    expect(() => parseThresholds('0.5:0.00001:0.95')).toThrow(/step/);
    expect(() => parseThresholds('0.5:0.00004:0.95')).toThrow(/step/);
  });

  it('rejects ranges and lists of more than 1000 thresholds', () => {
    expect(() => parseThresholds('0.0001:0.0001:1')).toThrow(/1000/);
    expect(() => parseThresholds(Array.from({ length: 1001 }, () => '0.5').join(','))).toThrow(/1000/);
  });

  it('rejects non-finite, empty and malformed ranges with one line', () => {
    for (const s of ['0.5:Infinity:0.9', '0.5:0.1:Infinity', 'NaN:0.1:0.9', '0.5:-0.1:0.9', '0.5:0:0.9', '0.5:0.1', '0.9:0.1:0.5', '1e308:1e308:1e308', '', '0.5,,0.9']) {
      let err: unknown;
      try {
        parseThresholds(s);
      } catch (e) {
        err = e;
      }
      expect(err, s).toBeInstanceOf(NucsegError);
      expect((err as Error).message, s).not.toContain('\n');
    }
  });
});
