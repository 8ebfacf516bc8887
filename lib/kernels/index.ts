// Typed wrappers over the native addon, one file per kernel family (see native/src).
export { labelOverlap, type LabelOverlap } from './overlap.js';
