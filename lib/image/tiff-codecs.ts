import { inflateSync } from 'node:zlib';
import { addDecoder, BaseDecoder } from 'geotiff';

// Bounded replacements for two of geotiff.js's decoders. Its LZW decoder follows
// dictionary chains without a bound, so a corrupt strip can make it grow an array until
// V8 aborts the whole process (found by test/image/fuzz.test.ts); its Deflate decoder
// inflates whatever the stream holds. Both are swapped for decoders that never produce
// more bytes than the strip or tile can hold, and Deflate uses Node's native zlib.

interface BlockParams {
  tileWidth: number;
  tileHeight: number;
  bitsPerSample: number | ArrayLike<number>;
  samplesPerPixel?: number;
}

function maxBlockBytes(p: BlockParams): number {
  const bits = typeof p.bitsPerSample === 'number' ? p.bitsPerSample : Array.from(p.bitsPerSample).reduce((a, b) => a + b, 0);
  const spp = typeof p.bitsPerSample === 'number' ? (p.samplesPerPixel ?? 1) : 1;
  return Math.ceil((p.tileWidth * bits * spp) / 8) * p.tileHeight;
}

/** TIFF LZW (MSB-first codes, "early change"), with output capped at the block size. */
export function lzwDecode(input: Uint8Array, maxBytes: number): Uint8Array {
  const out = new Uint8Array(maxBytes);
  const prefix = new Int32Array(4096), suffix = new Uint8Array(4096), first = new Uint8Array(4096), length = new Uint32Array(4096);
  for (let i = 0; i < 256; i++) {
    suffix[i] = i;
    first[i] = i;
    length[i] = 1;
    prefix[i] = -1;
  }
  let next = 258, width = 9, old = -1, pos = 0;
  let bitPos = 0;
  const totalBits = input.length * 8;
  const read = (): number => {
    if (bitPos + width > totalBits) return 257;
    let v = 0;
    for (let k = 0; k < width; k++) {
      const b = bitPos + k;
      v = (v << 1) | ((input[b >>> 3] >>> (7 - (b & 7))) & 1);
    }
    bitPos += width;
    return v;
  };
  const emit = (code: number): boolean => {
    const len = length[code];
    const end = Math.min(pos + len, maxBytes);
    // write the chain backwards; skip the part past the cap
    let c = code;
    for (let k = pos + len - 1; k >= pos; k--) {
      if (k < end) out[k] = suffix[c];
      c = prefix[c];
    }
    pos = end;
    return pos < maxBytes;
  };
  const add = (p: number, ch: number) => {
    if (next >= 4096) return;
    prefix[next] = p;
    suffix[next] = ch;
    first[next] = first[p];
    length[next] = length[p] + 1;
    next++;
  };
  for (;;) {
    const code = read();
    if (code === 257) break;
    if (code === 256) {
      next = 258;
      width = 9;
      old = -1;
      continue;
    }
    if (old === -1) {
      if (code > 255) throw new Error(`corrupt LZW data: code ${code} after a clear code`);
      if (!emit(code)) break;
      old = code;
      continue;
    }
    if (code < next) {
      add(old, first[code]);
      if (!emit(code)) break;
    } else if (code === next && next < 4096) {
      add(old, first[old]);
      if (!emit(code)) break;
    } else {
      throw new Error(`corrupt LZW data: code ${code} not in the table (${next} entries)`);
    }
    old = code;
    if (next + 1 >= 1 << width && width < 12) width++;
  }
  return pos === maxBytes ? out : out.subarray(0, pos);
}

class BoundedLzwDecoder extends BaseDecoder {
  override decodeBlock(buffer: ArrayBufferLike): ArrayBufferLike {
    const out = lzwDecode(new Uint8Array(buffer), maxBlockBytes((this as unknown as { parameters: BlockParams }).parameters));
    return out.buffer.slice(out.byteOffset, out.byteOffset + out.byteLength);
  }
}

class BoundedDeflateDecoder extends BaseDecoder {
  override decodeBlock(buffer: ArrayBufferLike): ArrayBufferLike {
    const max = maxBlockBytes((this as unknown as { parameters: BlockParams }).parameters);
    let out: Buffer;
    try {
      out = inflateSync(new Uint8Array(buffer), { maxOutputLength: Math.max(1, max) });
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ERR_BUFFER_TOO_LARGE') throw new Error('Deflate data is larger than its strip or tile');
      throw e;
    }
    return out.buffer.slice(out.byteOffset, out.byteOffset + out.byteLength);
  }
}

let installed = false;

/** Registers the bounded decoders with geotiff.js (once). */
export function installTiffCodecs(): void {
  if (installed) return;
  installed = true;
  addDecoder(5, async () => BoundedLzwDecoder as never);
  addDecoder([8, 32946], async () => BoundedDeflateDecoder as never);
}
