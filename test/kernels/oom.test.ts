// A kernel that runs out of memory throws, and the next call works: the per-thread scratch
// that normalizedDistance and watershed keep between calls must not be left claiming a
// size it no longer has (it was: the next call used a null buffer and the process died).
import { describe, expect, it } from 'vitest';
import { LIB_URL, runNodeScript } from '../helpers/tools.js';

// small call, a large one under an address-space cap a little above the process' size
// (prlimit on itself), the cap lifted, the small call again
const script = `
import { kernels as K } from ${JSON.stringify(LIB_URL)};
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
const cap = (v) => spawnSync('prlimit', ['--pid', String(process.pid), '--as=' + v]);
const size = () => +/VmSize:\\s+(\\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))[1] * 1024;
const N = 6000;
const big = (T) => ({ data: new T(N * N), width: N, height: N });
// a small call, and a large one whose inputs and output exist before the cap
const calls = {
  normalizedDistance: () => {
    const labels = big(Uint16Array).data.fill(1), out = big(Float32Array);
    return [
      () => K.normalizedDistance({ data: new Uint16Array(16).fill(1), width: 4, height: 4 }, { threads: 1 }).data[5],
      () => K.normalizedDistance({ data: labels, width: N, height: N }, { threads: 1, out }),
    ];
  },
  watershed: () => {
    const e = big(Uint8Array), m = big(Uint32Array), out = big(Uint32Array);
    m.data[0] = 1;
    const sm = new Uint32Array(16); sm[0] = 1;
    return [
      () => K.watershed({ data: new Uint8Array(16), width: 4, height: 4 }, { data: sm, width: 4, height: 4 }).data[15],
      () => K.watershed(e, m, { out }),
    ];
  },
};
for (const [name, make] of Object.entries(calls)) {
  const [small, large] = make();
  console.log(name, 'small', small());
  cap(size() + (40 << 20) + ':unlimited');
  let threw = '';
  try { large(); } catch (e) { threw = e.message; }
  cap('unlimited:unlimited');
  console.log(name, 'large', threw || 'ran');
  console.log(name, 'small again', small());
}
`;

describe('out of memory in a kernel', () => {
  it('throws one error, and the same thread runs the next call (normalizedDistance, watershed)', () => {
    const r = runNodeScript(script);
    expect(r.signal).toBe(null);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    for (const name of ['normalizedDistance', 'watershed']) {
      expect(r.stdout).toContain(`${name} large out of memory in native kernel`); // the cap was hit
      expect(r.stdout).toContain(`${name} small again 1`);
    }
  });
});
