import { describe, expect, it } from 'vitest';
import { csvCell } from '../../lib/util/csv.js';

describe('CSV cells (OWASP CSV injection)', () => {
  it('prefixes formula-like text with a single quote and quotes the field', () => {
    expect(csvCell('=HYPERLINK("http://x","y")')).toBe(`"'=HYPERLINK(""http://x"",""y"")"`);
    expect(csvCell('+1+2')).toBe(`"'+1+2"`);
    expect(csvCell('-2+3+cmd|')).toBe(`"'-2+3+cmd|"`);
    expect(csvCell('@SUM(A1)')).toBe(`"'@SUM(A1)"`);
    expect(csvCell('\tx')).toBe(`"'\tx"`);
    expect(csvCell('\rx')).toBe(`"'\rx"`);
  });

  it('leaves plain text and numbers alone and quotes separators', () => {
    expect(csvCell('A01.tif')).toBe('A01.tif');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('a\nb')).toBe('"a\nb"');
    expect(csvCell(-0.5)).toBe('-0.5');
    expect(csvCell(3)).toBe('3');
    expect(csvCell('')).toBe('');
    expect(csvCell(undefined)).toBe('');
  });
});
