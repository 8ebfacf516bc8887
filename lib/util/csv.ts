import { parse } from 'csv-parse/sync';
import { NucsegError } from './errors.js';

/**
 * One CSV field (RFC 4180), safe to open in a spreadsheet: text starting with `=`, `+`,
 * `-`, `@`, tab or carriage return is prefixed with a single quote so it is not run as a
 * formula (OWASP "CSV Injection"), and such text, or text holding a quote, comma or line
 * break, is quoted with inner quotes doubled. Numbers are written as given; undefined and
 * null are empty fields.
 */
export function csvCell(v: string | number | undefined | null): string {
  if (v === undefined || v === null) return '';
  const s = String(v);
  if (typeof v === 'string' && /^[=+\-@\t\r]/.test(s)) return `"'${s.replace(/"/g, '""')}"`;
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/**
 * CSV text with a header row as one record per row (csv-parse: quotes, a byte-order mark and
 * CRLF handled); a malformed file is one NucsegError naming `file`.
 *
 * @example
 * ```ts
 * import { parseCsv } from 'nucseg';
 * parseCsv('image,count\nA01,12\n', 'summary.csv'); // [{ image: 'A01', count: '12' }]
 * ```
 */
export function parseCsv(text: string, file: string): Record<string, string>[] {
  try {
    return parse(text, { columns: true, skip_empty_lines: true, bom: true }) as Record<string, string>[];
  } catch (e) {
    throw new NucsegError(`not a readable CSV (${(e as Error).message.split('\n')[0]})`, { file });
  }
}
