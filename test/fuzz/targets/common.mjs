// Shared by the Jazzer.js targets (test/fuzz/targets/*.fuzz.mjs). They import the compiled
// library (dist/, from `npx tsc -p tsconfig.json`), not the TypeScript sources.
//
// The contract every target checks: for any input bytes, the code under test returns or
// throws a NucsegError (bad input a user can fix). Any other exception (TypeError,
// RangeError, an Error from a dependency), a hang (Jazzer.js --timeout) or a blown memory
// limit (-rss_limit_mb / -malloc_limit_mb) is a finding.
import { NucsegError } from '../../../dist/lib/util/errors.js';

/** Runs fn (sync or async); a NucsegError is an expected outcome, anything else propagates. */
export function expectOnlyUserErrors(fn) {
  let r;
  try {
    r = fn();
  } catch (e) {
    if (e instanceof NucsegError) return undefined;
    throw e;
  }
  if (r && typeof r.then === 'function') {
    return r.then(
      (v) => v,
      (e) => {
        if (e instanceof NucsegError) return undefined;
        throw e;
      },
    );
  }
  return r;
}

/** Splits bytes at the first 0x00: [before, after] (after empty when there is none). */
export function splitAtNul(data) {
  const i = data.indexOf(0);
  return i < 0 ? [data, data.subarray(data.length)] : [data.subarray(0, i), data.subarray(i + 1)];
}

/**
 * Structured mutation driven by fuzz bytes: walks to a random place in a JSON-like value and
 * replaces, deletes or adds something there, `n` times. Each mutation reads a few bytes; the
 * value returned is a new object (the input is not changed).
 */
export function mutateJson(value, bytes, n = 4) {
  const root = structuredClone(value);
  let p = 0;
  const b = () => (p < bytes.length ? bytes[p++] : 0);
  const f64 = () => {
    if (p + 8 > bytes.length) return b();
    const v = Buffer.from(bytes.subarray(p, p + 8)).readDoubleLE(0);
    p += 8;
    return Number.isFinite(v) ? v : 1e308;
  };
  const str = () => {
    const len = b() % 24;
    let s = '';
    for (let i = 0; i < len; i++) s += String.fromCharCode(b());
    return s;
  };
  const odd = () => {
    switch (b() % 20) {
      case 0: return null;
      case 1: return 0;
      case 2: return -1;
      case 3: return 1e308;
      case 4: return -1e308;
      case 5: return 0.5;
      case 6: return 2 ** 53;
      case 7: return 5e-324;
      case 8: return '';
      case 9: return str();
      case 10: return [];
      case 11: return {};
      case 12: return true;
      case 13: return [odd(), odd()];
      case 14: return { [str()]: odd() };
      case 15: return f64();
      case 16: return b() - 128;
      case 17: return (b() << 8 | b()) / 256;
      case 18: return '__proto__';
      default: return 4096;
    }
  };
  for (let k = 0; k < n && p < bytes.length; k++) {
    let parent = null, key = null, cur = root;
    const depth = b() % 5;
    for (let d = 0; d < depth && cur && typeof cur === 'object'; d++) {
      const keys = Object.keys(cur);
      if (keys.length === 0) break;
      key = keys[b() % keys.length];
      parent = cur;
      cur = cur[key];
    }
    const op = b() % 4;
    if (op === 0 && parent) {
      if (Array.isArray(parent)) parent.splice(Number(key), 1);
      else delete parent[key];
    } else if (op === 1 && cur && typeof cur === 'object') {
      if (Array.isArray(cur)) cur.push(odd());
      else cur[str() || 'x'] = odd();
    } else if (parent) {
      parent[key] = odd();
    }
  }
  return root;
}

/**
 * Known, unfixed findings named in NUCSEG_FUZZ_KNOWN (comma-separated ids, or "all"; see
 * docs/fuzzing.md): a target skips inputs that would trigger them, so a run explores past them.
 */
export function known(id) {
  const env = process.env.NUCSEG_FUZZ_KNOWN ?? '';
  return env === 'all' || env.split(',').includes(id);
}
