// Typed wrappers over the native addon, one file per kernel family (see native/src).
export type { KernelOptions, KernelDevice } from './check.js';
export { labelOverlap, type LabelOverlap } from './overlap.js';
export {
  connectedComponents,
  regionStats,
  relabelSequential,
  removeSmallObjects,
  removeLargeObjects,
  fillHoles,
  keepLargestComponent,
  type RegionStats,
  type ConnectedComponentsOptions,
} from './components.js';
export { distanceTransform, normalizedDistance, blurredBorder, type TargetOptions } from './distance.js';
export { gaussianBlur, medianBlur, otsuThreshold } from './filters.js';
export { binaryDilation, binaryErosion, binaryOpening, binaryClosing } from './morphology.js';
export { resize, type Interpolation } from './resize.js';
export { watershed, type WatershedOptions } from './watershed.js';
export { measureRegions, maxFilter, type RegionMeasurements } from './measure.js';
export { augmentRois, augmentRoisAsync, type RoiSource, type RoiBatch } from './augment.js';
export { pasteInstances, mergeTileInstances, type Detections } from './instances.js';
