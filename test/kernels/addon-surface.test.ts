// The Addon interface (lib/kernels/addon.ts) is written by hand beside the bindings; the
// table addonFunctions is the one list both are checked against: tsc fails when the
// interface and the table differ (AddonInterfaceMatchesTable), this test when the loaded
// addon exports another set of functions.
import { describe, expect, it } from 'vitest';
import { addon, addonFunctions } from '../../lib/kernels/addon.js';

describe('the addon surface', () => {
  it('exports exactly the functions of the table the Addon interface is checked against', () => {
    const exported = Object.keys(addon()).sort();
    expect(exported).toEqual([...addonFunctions].sort());
  });

  it('every export is a function, and the table has no duplicate', () => {
    const a = addon() as unknown as Record<string, unknown>;
    for (const name of addonFunctions) expect(typeof a[name], name).toBe('function');
    expect(new Set(addonFunctions).size).toBe(addonFunctions.length);
  });
});
