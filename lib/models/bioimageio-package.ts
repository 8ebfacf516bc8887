// Reading a bioimage.io model package (zip): rdf.yaml, the files it names, their sha256.
import { posix } from 'node:path';
import { strFromU8, unzipSync } from 'fflate';
import { parse } from 'yaml';
import { NucsegError } from '../util/errors.js';
import { decodeNpy, type NpyArray } from '../util/npy.js';
import { sha256Hex } from './bioimageio-rdf.js';

/** An unpacked bioimage.io package: rdf.yaml's content and the files beside it (paths relative to rdf.yaml). */
export interface BioimageioPackage {
  /** The zip it came from (named in errors). */
  file: string;
  rdf: Record<string, unknown>;
  files: Map<string, Uint8Array>;
}

/** The description file names the spec allows (rdf.yaml, bioimageio.yaml, *.rdf.yaml, *.bioimageio.yaml). */
const RDF_NAME = /(^|\/)((.+\.)?rdf|(.+\.)?bioimageio)\.yaml$/;

/**
 * Unzips a bioimage.io package and parses its rdf.yaml (the shallowest description file; the
 * other paths are taken relative to its folder). A file that is no zip, has no rdf.yaml, or an
 * rdf that is not a spec-0.5 model is one NucsegError naming `file`.
 *
 * @example
 * ```ts
 * import { readFileSync } from 'node:fs';
 * import { readBioimageioPackage } from 'nucseg';
 * const pkg = readBioimageioPackage(readFileSync('model.zip'), 'model.zip');
 * console.log(pkg.rdf.name, [...pkg.files.keys()]); // 'nuclei-fpn2ws-dsb-fast' [ 'rdf.yaml', 'README.md', … ]
 * ```
 */
export function readBioimageioPackage(bytes: Uint8Array, file: string): BioimageioPackage {
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(bytes);
  } catch (e) {
    throw new NucsegError(`not a readable zip file (${(e as Error).message})`, { file });
  }
  const rdfPath = Object.keys(entries).filter((k) => RDF_NAME.test(k)).sort((a, b) => a.split('/').length - b.split('/').length || a.length - b.length)[0];
  if (!rdfPath) throw new NucsegError('no rdf.yaml in the package: not a bioimage.io model package', { file });
  const dir = posix.dirname(rdfPath) === '.' ? '' : `${posix.dirname(rdfPath)}/`;
  const files = new Map<string, Uint8Array>();
  for (const [k, v] of Object.entries(entries)) if (k.startsWith(dir) && !k.endsWith('/')) files.set(k.slice(dir.length), v);
  let rdf: unknown;
  try {
    rdf = parse(strFromU8(entries[rdfPath]));
  } catch (e) {
    throw new NucsegError(`${rdfPath} is not valid YAML (${(e as Error).message.split('\n')[0]})`, { file });
  }
  if (!rdf || typeof rdf !== 'object' || Array.isArray(rdf)) throw new NucsegError(`${rdfPath} is not a YAML mapping`, { file });
  const r = rdf as Record<string, unknown>;
  if (r.type !== 'model') throw new NucsegError(`${rdfPath}: type is ${JSON.stringify(r.type)}, not 'model'`, { file });
  if (!/^0\.5\.\d+$/.test(String(r.format_version))) throw new NucsegError(`${rdfPath}: format_version ${JSON.stringify(r.format_version)}: nucseg reads bioimage.io model spec 0.5.x packages`, { file });
  return { file, rdf: r, files };
}

/** A file of the package named by an rdf field (`{ source, sha256? }`), its sha256 checked. */
export function packageFile(pkg: BioimageioPackage, descr: unknown, what: string): { name: string; bytes: Uint8Array } {
  const d = descr as { source?: unknown; sha256?: unknown } | undefined;
  if (!d || typeof d.source !== 'string') throw new NucsegError(`rdf.yaml: ${what} has no source file`, { file: pkg.file });
  if (/^[a-z]+:\/\//i.test(d.source)) throw new NucsegError(`rdf.yaml: ${what} is a URL (${d.source}); nucseg reads packages that hold their files`, { file: pkg.file });
  const name = posix.normalize(d.source.replace(/^\.\//, ''));
  const bytes = pkg.files.get(name);
  if (!bytes) throw new NucsegError(`${what} file '${d.source}' named in rdf.yaml is missing from the package`, { file: pkg.file });
  if (typeof d.sha256 === 'string' && d.sha256.toLowerCase() !== sha256Hex(bytes)) throw new NucsegError(`${what} file '${d.source}': sha256 does not match rdf.yaml (the file is damaged or not the one described)`, { file: pkg.file });
  return { name, bytes };
}

/** A tensor's test array (float32) from the package. */
export function testArray(pkg: BioimageioPackage, tensor: { id?: unknown; test_tensor?: unknown }): NpyArray {
  const what = `test tensor of '${String(tensor.id)}'`;
  const { name, bytes } = packageFile(pkg, tensor.test_tensor, what);
  const a = decodeNpy(bytes, `${pkg.file}: ${name}`);
  if (a.dtype !== 'float32') throw new NucsegError(`${what} is ${a.dtype}; nucseg's models take and give float32`, { file: pkg.file });
  return a;
}

/** The ONNX weights of a package: file, sha256 and opset (a package without ONNX weights is an error listing what it has). */
export function onnxWeights(pkg: BioimageioPackage): { name: string; bytes: Uint8Array; sha256: string; opset: number } {
  const w = (pkg.rdf.weights ?? {}) as Record<string, { opset_version?: unknown } | null>;
  if (!w.onnx) throw new NucsegError(`rdf.yaml has no ONNX weights (weights.onnx); nucseg runs ONNX models (this package has: ${Object.keys(w).join(', ') || 'none'})`, { file: pkg.file });
  const { name, bytes } = packageFile(pkg, w.onnx, 'ONNX weights');
  return { name, bytes, sha256: sha256Hex(bytes), opset: Number(w.onnx.opset_version) };
}
