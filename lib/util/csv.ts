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
