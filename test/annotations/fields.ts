// Real fields for the annotation round trips (../shared/data), chosen with scipy.ndimage.
import { join } from 'node:path';
import { DSB } from '../helpers/data.js';

const label = (id: string) => join(DSB, 'train', 'labels', `${id}.tif`);

/** The six DSB2018 label files with nuclei that have holes (binary_fill_holes changes them). */
export const HOLE_FIELDS = [
  '70827e40a7155391984e56703c6df3392fb4a94bbd6c7008da6a6ca3244965d9',
  '8efed2e62c919e6d70a2ab548b1a33014877fe8a23f177ef25a9dee25ffe8842',
  '9bb6e39d5f4415bc7554842ee5d1280403a602f2ba56122b87f453a62d37c06e',
  'd7db360fabfce9828559a21f6bffff589ae868e0dc6101d7c1212de34a25e3cb',
  'da31f2aa8601afec5c45180a2c448cb9c4a8ec7b35e75190d6ba3588f69058c8',
  'df53d0b6c2c4e45d759b2c474011e2b2b32552cd100ca4b22388ab9ca1750ee2',
].map(label);

/** The one DSB2018 label file with a nucleus in two 8-connected pieces. */
export const SPLIT_FIELD = label('f6863b83d75e5927b30e2e326405b588293283c25aaef2251b30c343296b9cb1');

/** True when two label images have the same size and the same id at every pixel. */
export function sameLabels(a: { data: ArrayLike<number>; width: number; height: number }, b: { data: ArrayLike<number>; width: number; height: number }): boolean {
  if (a.width !== b.width || a.height !== b.height || a.data.length !== b.data.length) return false;
  for (let i = 0; i < a.data.length; i++) if (a.data[i] !== b.data[i]) return false;
  return true;
}
