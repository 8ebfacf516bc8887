/** The TypedArray constructors images use. */
export type TypedArrayConstructor =
  | Uint8ArrayConstructor
  | Uint8ClampedArrayConstructor
  | Int8ArrayConstructor
  | Uint16ArrayConstructor
  | Int16ArrayConstructor
  | Uint32ArrayConstructor
  | Int32ArrayConstructor
  | Float32ArrayConstructor
  | Float64ArrayConstructor;

/**
 * Whether `a` is a `type` array — also one made in another realm (a `vm` context, as Jest's
 * test environment makes them), where `instanceof` says no.
 *
 * @example
 * ```ts
 * import { runInNewContext } from 'node:vm';
 * isTypedArray(runInNewContext('new Uint16Array(4)'), Uint16Array); // true (instanceof: false)
 * ```
 */
export function isTypedArray<C extends TypedArrayConstructor>(a: unknown, type: C): a is InstanceType<C> {
  return a instanceof type || (ArrayBuffer.isView(a) && Object.prototype.toString.call(a) === `[object ${type.name}]`);
}
