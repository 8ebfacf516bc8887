import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { maxThreads, threadsOf } from '../../lib/kernels/check.js';
import { gaussianBlur } from '../../lib/kernels/filters.js';
import { NucsegError } from '../../lib/util/errors.js';

describe('thread counts', () => {
  it('are bounded by 4 × the available cores', () => {
    const max = 4 * availableParallelism();
    expect(maxThreads()).toBe(max);
    expect(threadsOf({ threads: 100000 })).toBe(max);
    expect(threadsOf({ threads: Number.MAX_SAFE_INTEGER })).toBe(max);
    expect(threadsOf({ threads: 0 })).toBe(0);
    expect(threadsOf({ threads: 1 })).toBe(1);
    expect(threadsOf({})).toBe(0);
  });

  it('reject negative, fractional and non-numeric counts', () => {
    for (const t of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, '4' as never]) expect(() => threadsOf({ threads: t })).toThrow(NucsegError);
  });

  it('a huge count gives the same result as one thread', () => {
    const im = { data: Float32Array.from({ length: 64 * 64 }, (_, i) => (i * 7919) % 255), width: 64, height: 64 };
    expect(gaussianBlur(im, 2, { threads: 100000 }).data).toEqual(gaussianBlur(im, 2, { threads: 1 }).data);
  });
});
