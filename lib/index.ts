// nucseg's public library API. Everything the CLI does is available here, typed.
export { VERSION } from './version.js';
export { NucsegError, isUserError } from './util/errors.js';
export { writeFileAtomic } from './util/atomic.js';
export { createProgress, type Progress, type ProgressMode } from './util/progress.js';
export { Profile, STAGES as PROFILE_STAGES, type Stage as ProfileStage } from './util/profile.js';
export type { ImageData, LabelImage, PixelArray, ReadImage } from './image/types.js';
export { readImage, decodeImage, readLabels, toLabels, type ReadImageOptions } from './image/read.js';
export { writeLabels, encodeLabelsTiff, labelDtype } from './image/write.js';
export { findImages, pairFiles, pairingKey, IMAGE_EXTENSIONS, type FilePair } from './image/discover.js';
export { labelOverlap, type LabelOverlap } from './kernels/overlap.js';
export * as kernels from './kernels/index.js';
export {
  score,
  scoreOverlap,
  summarizeSet,
  metricsFromCounts,
  DEFAULT_THRESHOLDS,
  SPLIT_MERGE_IOU,
  type ScoreOptions,
  type ScoreResult,
  type ThresholdMetrics,
  type SetScore,
} from './score/metrics.js';
export { matchAtThresholds, optimalMatch, splitsAndMerges, type MatchingRule, type ThresholdMatch } from './score/match.js';
export { scoreFiles, SCORE_SCHEMA, type ImageScore, type SetScoreReport, type ScoreFilesOptions } from './score/files.js';
export { formatScoreTable, formatScoreCsv, formatScoreJson, writeScoreJson, writeScoreCsv } from './score/report.js';
export { renderF1Plot, writeF1Plot, type PlotOptions } from './score/plot.js';
export { writeScoreReport, f1CurveSpec, imageF1Spec, keyThresholds, type F1Point } from './score/html.js';
export { errorImage, writeErrorImage, encodeRgbPng } from './score/error-image.js';
export { info, type NucsegInfo } from './info.js';
export { lowConfidenceArea } from './models/fpn2ws.js';
export { segment, resolveModel, type SegmentOptions, type SegmentResult } from './segment/segment.js';
export type { SegmentationModel } from './models/model.js';
export { ClassicModel, segmentClassic, type ClassicOptions } from './models/classic.js';
export { normalizeImage, normalizationRange, percentiles, type NormalizeOptions, type NormalizeMode, type Normalized } from './segment/normalize.js';
export { tileGrid, cropTile, LabelStitcher, type Tile } from './models/tiling.js';
export { parsePlateName, splitWell, compileNamePattern, PLATE_PATTERNS, type PlateInfo } from './segment/plate.js';
export { measureNuclei, measurementsCsv, NUCLEUS_COLUMNS, type NucleusRow } from './segment/measurements.js';
export { renderOverlay, labelsToGeoJson } from './segment/outputs.js';
export { segmentFiles, type SegmentFilesOptions } from './segment/batch.js';
export type { ImageJobOptions, ImageResult, InputFile } from './segment/job.js';
export { discoverInputs } from './segment/inputs.js';
export { processImage } from './segment/process-image.js';
export { completedResult, settingsKey } from './segment/resume.js';
export { outputPaths } from './segment/paths.js';
export { writeRunSummary } from './segment/summary.js';
export { parseShard, shardInputs, shardIndices, collectShards, writeShardRecord, type Shard } from './segment/shard.js';
export { submitSlurm, segmentArgs, defaultRequests, type SlurmOptions, type SlurmProgress, type SlurmResult } from './segment/slurm.js';
export { watchFolder, type WatchOptions } from './segment/watch.js';
export { fieldQc, laplacianFocus, saturatedFraction, renderThumbnail, median, type FieldQc } from './segment/qc.js';
export { flagFields, QC_THRESHOLDS, type FieldFlags, type SummaryField } from './segment/report-qc.js';
export { readSummary, writeRunReport, type RunReportOptions } from './segment/report.js';
export { renderHtmlPage, writeHtmlPage, escapeHtml, fileUrl, checkHtmlPath, type Block, type Column } from './html/page.js';
export { main as runCli } from './cli/main.js';
export { augment, roiQuotas, AUGMENT_SCHEMA, type AugmentOptions, type AugmentResult } from './augment/augment.js';
export { loadConfig, validateConfig, DEFAULT_CONFIG as DEFAULT_AUGMENT_CONFIG, PRESETS as AUGMENT_PRESETS, type AugmentConfig } from './augment/config.js';
export { loadSources, splitSet, type SetSpec, type SourceFile } from './augment/sources.js';
export { contactSheet } from './augment/preview.js';
export { train, findPython, FPN_HEADS, type FpnHead, type TrainOptions, type TrainEvent } from './train/run.js';
export { readCard, validateCard, fileSha256, type ModelCard } from './models/card.js';
export { Fpn2wsModel, fpn2wsInstances, postFromCard, type Fpn2wsPost } from './models/fpn2ws.js';
export { MrcnnModel, mrcnnPostFromCard, type MrcnnPost } from './models/mrcnn.js';
export { openSession, autoDeviceOrder, cudaProviderInstalled, gpuVisible, type InferenceDevice } from './models/onnx.js';
export { findModel, bundledModels, modelsDir, DEFAULT_MODEL } from './models/registry.js';
export { loadModel, type ModelSpec } from './models/load.js';
export { verifyModel, type VerifyResult } from './models/verify.js';
export { exportBioimageio, type BioimageioExportOptions, type BioimageioExportResult } from './bioimageio/export.js';
export { importBioimageio, packagedModel } from './models/bioimageio-import.js';
export { readBioimageioPackage, type BioimageioPackage } from './models/bioimageio-package.js';
export { rdfFromCard, BIOIMAGEIO_FORMAT_VERSION, ZAKI_2020, type RdfFiles } from './models/bioimageio-rdf.js';
export { packageReadme, packageCover } from './bioimageio/docs.js';
export { csvCell, parseCsv } from './util/csv.js';
export { encodeNpy, decodeNpy, type NpyArray, type NpyData, type NpyDtype } from './util/npy.js';
export type { AnnotationObject, AnnotationSet, Geometry, Ring } from './annotations/types.js';
export { scanRings, scanEllipse, scanGeometry, rasterizeObjects, type RasterizeResult } from './annotations/rasterize.js';
export { labelOutlines, maskRings, type LabelOutline } from './annotations/trace.js';
export { parseGeoJson, labelsToFeatureCollection, idFromName, type GeoJsonReadOptions } from './annotations/geojson.js';
export { decodeRoi, ROI_TYPES, type DecodedRoi } from './annotations/roi-decode.js';
export { encodeTracedRoi, encodeCompositeRoi } from './annotations/roi-encode.js';
export { readRoiZip, labelsToRoiZip } from './annotations/roi-zip.js';
export { annotationKind, readAnnotationFile, annotationsToLabels, writeLabelsAs, fieldSize, type AnnotationKind, type AnnotationOutput, type AnnotationLabels, type ConvertOptions } from './annotations/convert.js';
export { annotationStem, findAnnotationFiles, pairAnnotationFiles, planFolderConversion, type ConversionJob } from './annotations/folder.js';
export { loadPlan, type Plan, type Dataset, type Recipe } from './experiment/plan.js';
export { writeExperimentReport, meanSd } from './experiment/report.js';
export { PLAN_SCHEMA, RECIPE_KEYS } from './experiment/schema.js';
export { strategies, augmentKey, augmentOptions, slug, type Strategy } from './experiment/strategies.js';
export { workflowConfig, writeWorkflow, type WorkflowConfig } from './experiment/workflow.js';
export { runExperiment, parseJobStats, snakemakeVersion, type ExperimentOptions, type ExperimentResult } from './experiment/run.js';
export { clusterCommand, jobArgs, snakemakeArgs, prepareSlurm, RULE_REQUESTS, type ExperimentSlurmOptions } from './experiment/slurm.js';
export { slurmRequests } from './cli/slurm-options.js';
