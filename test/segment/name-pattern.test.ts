import { describe, expect, it } from 'vitest';
import { compileNamePattern, PLATE_PATTERNS } from '../../lib/segment/plate.js';
describe('name patterns (issue 12)', () => {
  it('refuses patterns with nested repetition (catastrophic backtracking), accepts ordinary ones', () => {
    for (const p of ['(?<well>(\\w+)+)x', '(?<well>(a|b*)*)', '(?<field>(\\d{1,})+)']) expect(() => compileNamePattern(p)).toThrow(/repeated group that contains a repetition/);
    // the same without the outer repetition is accepted
    expect(compileNamePattern('(?<well>\\w+)x$').exec('A01x')!.groups!.well).toBe('A01');
    expect(compileNamePattern('_(?<well>[A-P]\\d{2})_s(?<field>\\d+)_w(?<channel>\\d)').exec('p_B03_s2_w1.tif')!.groups!.well).toBe('B03');
    for (const p of Object.values(PLATE_PATTERNS as Record<string, RegExp>)) expect(() => compileNamePattern(p.source)).not.toThrow(/repetition/);
  });
});
