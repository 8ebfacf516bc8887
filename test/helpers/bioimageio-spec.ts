// The required keys and types of a bioimage.io model description, written from the spec's
// documentation: bioimage.io model spec 0.5 (format_version 0.5.x),
// https://bioimage-io.github.io/spec-bioimage-io/ (user_docs/model_descr_v0-5.md), as
// bioimageio.spec's pydantic ModelDescr v0_5 (bioimageio/spec/model/v0_5.py) and its generic
// base (bioimageio/spec/generic/v0_3.py) define them. Not the official validator (Python,
// bioimageio.core): the structural rules a package must meet, checked without it.
import { createHash } from 'node:crypto';
import { decodeNpy } from '../../lib/util/npy.js';

type O = Record<string, unknown>;

const TOP_LEVEL = ['format_version', 'type', 'id', 'id_emoji', 'name', 'description', 'covers', 'authors', 'attachments', 'badges', 'cite', 'config', 'git_repo', 'icon', 'license', 'links', 'maintainers', 'tags', 'version', 'uploader', 'documentation', 'inputs', 'outputs', 'packaged_by', 'parent', 'run_mode', 'timestamp', 'training_data', 'weights'];
const DTYPES = ['float32', 'float64', 'uint8', 'int8', 'uint16', 'int16', 'uint32', 'int32', 'uint64', 'int64', 'bool'];
const AXIS_TYPES = ['batch', 'channel', 'index', 'time', 'space'];
const PREPROCESSING = ['binarize', 'clip', 'ensure_dtype', 'scale_linear', 'sigmoid', 'zero_mean_unit_variance', 'scale_range'];
const POSTPROCESSING = [...PREPROCESSING, 'fixed_zero_mean_unit_variance', 'scale_mean_variance'];
const WEIGHTS = ['keras_hdf5', 'onnx', 'pytorch_state_dict', 'tensorflow_js', 'tensorflow_saved_model_bundle', 'torchscript'];
const COVER = /\.(gif|jpeg|jpg|png|svg)$/i;
const IDENT = /^[a-z_][a-z0-9_]*$/; // LowerCaseIdentifierStr (tensor and axis ids)

const obj = (v: unknown): v is O => !!v && typeof v === 'object' && !Array.isArray(v);
const str = (v: unknown): v is string => typeof v === 'string' && v.length > 0;
const int = (v: unknown, min: number) => Number.isInteger(v) && (v as number) >= min;
/** An axis' id: given, or the spec's default for its type (batch, channel, index, time; space: x). */
const axisId = (a: O) => (a.type === 'batch' ? 'batch' : String(a.id ?? (a.type === 'space' ? 'x' : a.type)));
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/**
 * Problems of an rdf.yaml (parsed) against the spec-0.5 model description, with the package's
 * files (name -> bytes) for the file references: [] when it conforms.
 */
export function modelSpecProblems(rdf: O, files: Map<string, Uint8Array>): string[] {
  const p: string[] = [];
  const need = (ok: boolean, what: string) => {
    if (!ok) p.push(what);
  };
  const file = (d: unknown, what: string, suffix?: RegExp) => {
    const f = (obj(d) ? d.source : d) as unknown;
    if (!str(f)) return p.push(`${what}: no source`), undefined;
    if (suffix) need(suffix.test(f), `${what}: ${f} has the wrong suffix`);
    const bytes = files.get(f);
    need(!!bytes, `${what}: ${f} is not in the package`);
    if (obj(d) && d.sha256 !== undefined) need(typeof d.sha256 === 'string' && /^[0-9a-f]{64}$/.test(d.sha256) && !!bytes && sha(bytes) === d.sha256, `${what}: sha256 does not match ${f}`);
    return bytes;
  };
  for (const k of Object.keys(rdf)) need(TOP_LEVEL.includes(k), `unknown top-level key ${k}`);
  need(typeof rdf.format_version === 'string' && /^0\.5\.\d+$/.test(rdf.format_version), 'format_version: not 0.5.x');
  need(rdf.type === 'model', "type: not 'model'");
  need(str(rdf.name) && rdf.name.length >= 5 && rdf.name.length <= 128, 'name: a string of 5 to 128 characters');
  need(typeof rdf.description === 'string' && rdf.description.length <= 1024, 'description: a string of at most 1024 characters');
  need(Array.isArray(rdf.authors) && rdf.authors.length > 0 && rdf.authors.every((a) => obj(a) && str(a.name)), 'authors: a non-empty list of {name}');
  need(Array.isArray(rdf.cite) && rdf.cite.length > 0 && rdf.cite.every((c) => obj(c) && str(c.text) && (str(c.doi) || str(c.url))), 'cite: a non-empty list of {text, doi or url}');
  need(str(rdf.license) && /^[A-Za-z0-9.+-]+$/.test(rdf.license), 'license: an SPDX identifier');
  const doc = file(rdf.documentation, 'documentation', /\.md$/);
  if (doc) need(/^#+ .*[vV]alidation/m.test(new TextDecoder().decode(doc)), "documentation: no '# Validation' section");
  if (rdf.covers !== undefined) need(Array.isArray(rdf.covers) && rdf.covers.every((c, i) => !!file(c, `covers[${i}]`, COVER)), 'covers: a list of image files');
  if (rdf.tags !== undefined) need(Array.isArray(rdf.tags) && rdf.tags.every(str), 'tags: a list of strings');
  if (rdf.timestamp !== undefined) need(!Number.isNaN(Date.parse(String(rdf.timestamp))), 'timestamp: not ISO 8601');
  if (rdf.config !== undefined) need(obj(rdf.config), 'config: a mapping');
  p.push(...tensorProblems(rdf, file));
  const w = rdf.weights;
  need(obj(w) && Object.keys(w).length > 0 && Object.keys(w).every((k) => WEIGHTS.includes(k)), 'weights: a mapping of known weight formats');
  if (obj(w) && obj(w.onnx)) {
    file(w.onnx, 'weights.onnx');
    need(int(w.onnx.opset_version, 7), 'weights.onnx.opset_version: an integer >= 7');
  }
  return p;
}

type FileCheck = (d: unknown, what: string, suffix?: RegExp) => Uint8Array | undefined;

/** Inputs and outputs: ids, axes (sizes and references), data types, processing, test tensors matching the axes. */
function tensorProblems(rdf: O, file: FileCheck): string[] {
  const p: string[] = [];
  const need = (ok: boolean, what: string) => {
    if (!ok) p.push(what);
  };
  const inputs = rdf.inputs, outputs = rdf.outputs;
  if (!Array.isArray(inputs) || !inputs.length || !Array.isArray(outputs) || !outputs.length) return ['inputs and outputs: non-empty lists'];
  const ids = [...inputs, ...outputs].map((t) => (obj(t) ? t.id : undefined));
  need(new Set(ids).size === ids.length, 'tensor ids: duplicates');
  const sizes = new Map<string, number>(); // tensor.axis -> size of the test tensor
  const independent = new Set<string>();
  const each = (list: unknown[], kind: 'inputs' | 'outputs') =>
    list.forEach((t, i) => {
      const at = `${kind}[${i}]`;
      if (!obj(t)) return p.push(`${at}: not a mapping`);
      need(typeof t.id === 'string' && IDENT.test(t.id), `${at}.id: a lower-case identifier`);
      if (t.description !== undefined) need(typeof t.description === 'string' && t.description.length <= 128, `${at}.description: at most 128 characters`);
      const axes = Array.isArray(t.axes) ? t.axes : [];
      need(axes.length > 0, `${at}.axes: a non-empty list`);
      const axisIds = axes.map((a) => (obj(a) ? axisId(a) : undefined));
      need(new Set(axisIds).size === axisIds.length, `${at}.axes: duplicate ids`);
      axes.forEach((a, k) => {
        const ax = `${at}.axes[${k}]`;
        if (!obj(a) || !AXIS_TYPES.includes(String(a.type))) return p.push(`${ax}.type: one of ${AXIS_TYPES.join(', ')}`);
        if (a.type === 'batch') return need(a.size === undefined || a.size === null || a.size === 1, `${ax}.size: batch size is 1 or free`);
        if (a.type === 'channel') return need(Array.isArray(a.channel_names) && a.channel_names.length > 0 && a.channel_names.every(str), `${ax}.channel_names: a non-empty list`);
        need(IDENT.test(String(axisIds[k])), `${ax}.id: a lower-case identifier`);
        const s = a.size;
        const fixed = int(s, 1), param = obj(s) && int(s.min, 1) && int(s.step, 1), ref = obj(s) && str(s.tensor_id) && str(s.axis_id);
        need(fixed || param || ref, `${ax}.size: an integer, {min, step} or {tensor_id, axis_id}`);
        if (fixed || param) independent.add(`${String(t.id)}.${String(axisIds[k])}`);
      });
      need(obj(t.data) && DTYPES.includes(String(t.data.type ?? 'float32')), `${at}.data.type: one of ${DTYPES.join(', ')}`);
      const proc = kind === 'inputs' ? t.preprocessing : t.postprocessing;
      if (proc !== undefined)
        need(
          Array.isArray(proc) && proc.every((q) => obj(q) && (kind === 'inputs' ? PREPROCESSING : POSTPROCESSING).includes(String(q.id)) && (!obj(q.kwargs) || !Array.isArray(q.kwargs.axes) || q.kwargs.axes.every((x) => axisIds.includes(x)))),
          `${at}.${kind === 'inputs' ? 'pre' : 'post'}processing: known ids, kwargs.axes among the tensor's axes`,
        );
      const range = (proc as O[] | undefined)?.find((q) => q.id === 'scale_range')?.kwargs as O | undefined;
      if (range) need(Number(range.min_percentile ?? 0) >= 0 && Number(range.max_percentile ?? 100) <= 100 && Number(range.min_percentile ?? 0) < Number(range.max_percentile ?? 100), `${at}: scale_range percentiles`);
      const bytes = file(t.test_tensor, `${at}.test_tensor`, /\.npy$/);
      if (!bytes) return;
      const a = decodeNpy(bytes);
      need(a.shape.length === axes.length, `${at}.test_tensor: ${a.shape.length} dimensions for ${axes.length} axes`);
      need(a.dtype === String((t.data as O | undefined)?.type ?? 'float32'), `${at}.test_tensor: dtype ${a.dtype} is not data.type`);
      axes.forEach((ax, k) => {
        const s = (ax as O).size, n = a.shape[k];
        sizes.set(`${String(t.id)}.${String(axisIds[k])}`, n);
        if (int(s, 1)) need(n === s, `${at}.test_tensor: axis ${k} is ${n}, not ${String(s)}`);
        if (obj(s) && int(s.min, 1)) need(n >= (s.min as number) && (n - (s.min as number)) % (s.step as number) === 0, `${at}.test_tensor: axis ${k} (${n}) is not min + n step`);
      });
    });
  each(inputs, 'inputs');
  each(outputs, 'outputs');
  for (const [i, t] of [...inputs, ...outputs].entries())
    for (const ax of (obj(t) && Array.isArray(t.axes) ? t.axes : []) as O[]) {
      const s = ax.size as O | undefined;
      if (!obj(s) || !str(s.tensor_id)) continue;
      const key = `${s.tensor_id}.${String(s.axis_id)}`;
      need(independent.has(key), `tensor ${i}: size reference ${key} is not an axis of fixed or parameterized size`);
      need(sizes.get(key) !== undefined && sizes.get(`${String((t as O).id)}.${axisId(ax)}`) === (sizes.get(key) as number) + Number(s.offset ?? 0), `tensor ${i}: test tensor does not follow its size reference ${key}`);
    }
  return p;
}
