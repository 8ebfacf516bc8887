import { basename } from 'node:path';
import { NucsegError } from '../util/errors.js';

/** Plate metadata parsed from an HCI file name. Absent fields are undefined. */
export interface PlateInfo {
  plate?: string;
  well?: string;
  row?: string;
  column?: number;
  field?: number;
  z?: number;
  channel?: string;
  timepoint?: number;
}

// Yokogawa CV7000/CV8000: <plate>_<well>_T<t>F<field>L<l>A<a>Z<z>C<channel>.tif
const YOKOGAWA = /^(?:(?<plate>.*)_)?(?<well>[A-Z]{1,2}\d{2})_T(?<timepoint>\d{4})F(?<field>\d{3})L\d{2}A\d{2}Z(?<z>\d{2})C(?<channel>\d{2})/;
// Molecular Devices ImageXpress: <plate>_<well>_s<site>_w<wavelength digit>[<uuid>].tif
const MOLDEV = /^(?:(?<plate>.*?)_)?(?<well>[A-Z]{1,2}\d{2})_s(?<field>\d+)(?:_w(?<channel>\d))?/;

/** The built-in patterns, tried in this order. */
export const PLATE_PATTERNS: Readonly<Record<string, RegExp>> = Object.freeze({ yokogawa: YOKOGAWA, moleculardevices: MOLDEV });

/**
 * Compiles a user pattern (a regular expression with named groups among plate, well, row,
 * column, field, z, channel, timepoint), with a clear error when it is invalid or names
 * nothing useful.
 *
 * @example
 * ```ts
 * import { compileNamePattern, parsePlateName } from 'nucseg';
 * const re = compileNamePattern('_(?<well>[A-P]\\d{2})_f(?<field>\\d+)');
 * parsePlateName('run7_C05_f3.tif', re); // { well: 'C05', row: 'C', column: 5, field: 3 }
 * ```
 */
export function compileNamePattern(pattern: string): RegExp {
  let re: RegExp;
  try {
    re = new RegExp(pattern);
  } catch (e) {
    throw new NucsegError(`--name-pattern is not a valid regular expression: ${(e as Error).message}`);
  }
  // A quantified group that itself holds a quantifier ((\w+)+, (a|b*)*, (x{2,})+) can backtrack
  // exponentially on a name that almost matches (minutes per file): refused, with the fix.
  if (/\((?:[^()\\]|\\.)*(?:[+*]|\{\d+,\d*\})(?:[^()\\]|\\.)*\)(?:[+*]|\{\d+,\d*\})/.test(pattern)) {
    throw new NucsegError('--name-pattern has a repeated group that contains a repetition (like (\\w+)+): such a pattern can take minutes per file name; repeat the inner part only (\\w+) or bound it ({1,8})');
  }
  const known = ['plate', 'well', 'row', 'column', 'field', 'z', 'channel', 'timepoint'];
  const groups = [...pattern.matchAll(/\(\?<([A-Za-z_][A-Za-z0-9_]*)>/g)].map((m) => m[1]);
  if (!groups.some((g) => known.includes(g))) throw new NucsegError(`--name-pattern needs at least one named group of: ${known.join(', ')}`);
  return re;
}

/**
 * A well name as row letters and column number, and its canonical spelling (upper case, the
 * column with at least 2 digits); undefined for anything else.
 *
 * @example
 * ```ts
 * import { splitWell } from 'nucseg';
 * splitWell('b7');  // { well: 'B07', row: 'B', column: 7 }
 * splitWell('304'); // undefined
 * ```
 */
export function splitWell(well: string): { well: string; row: string; column: number } | undefined {
  const w = /^([A-Za-z]+)0*(\d+)$/.exec(well);
  if (!w) return undefined;
  const row = w[1].toUpperCase(), column = Number.parseInt(w[2], 10);
  return { well: `${row}${String(column).padStart(2, '0')}`, row, column };
}

/**
 * Plate metadata from a file name: a custom pattern if given (its named groups), else the
 * Yokogawa CV7000/CV8000 and Molecular Devices conventions. Wells are upper-cased and split
 * into row letters and column number; numbers are parsed. Returns {} when nothing matches.
 *
 * @example
 * ```ts
 * import { parsePlateName } from 'nucseg';
 * parsePlateName('Plate1_B02_T0001F001L01A01Z01C01.tif');
 * // { plate: 'Plate1', well: 'B02', row: 'B', column: 2, field: 1, z: 1, channel: '01', timepoint: 1 }
 * parsePlateName('field.tif'); // {}
 * ```
 */
export function parsePlateName(file: string, pattern?: RegExp): PlateInfo {
  const name = basename(file);
  const m = pattern ? pattern.exec(name) : (YOKOGAWA.exec(name) ?? MOLDEV.exec(name));
  if (!m?.groups) return {};
  const g = m.groups;
  const num = (v?: string) => (v === undefined || v === '' ? undefined : Number.parseInt(v, 10));
  const info: PlateInfo = {};
  if (g.plate) info.plate = g.plate;
  if (g.well) {
    const w = splitWell(g.well);
    info.well = w?.well ?? g.well;
    if (w) {
      info.row = w.row;
      info.column = w.column;
    }
  }
  if (g.row) info.row = g.row.toUpperCase();
  if (g.column) info.column = num(g.column);
  if (info.well === undefined && info.row && info.column !== undefined) info.well = `${info.row}${String(info.column).padStart(2, '0')}`;
  if (g.field) info.field = num(g.field);
  if (g.z) info.z = num(g.z);
  if (g.channel) info.channel = g.channel;
  if (g.timepoint) info.timepoint = num(g.timepoint);
  return info;
}
