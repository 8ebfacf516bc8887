/** Pixel arrays nucseg reads and writes. */
export type PixelArray = Uint8Array | Uint16Array | Uint32Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;

/** A single-channel, row-major image: pixel (x, y) is data[y * width + x]. */
export interface ImageData<T extends PixelArray = PixelArray> {
  data: T;
  width: number;
  height: number;
}

/** An instance label image: 0 is background, every other value one object. */
export type LabelImage = ImageData<Uint16Array | Uint32Array>;

/** What readImage returns: the pixels plus what the file said about them. */
export interface ReadImage<T extends PixelArray = PixelArray> extends ImageData<T> {
  /** Bits per sample in the file (8, 16, 32, 64). */
  bitsPerSample: number;
  /** 'uint', 'int' or 'float'. */
  sampleFormat: 'uint' | 'int' | 'float';
  /** Pages (IFDs) in the file; 1 for PNG. */
  pages: number;
  /** The file it came from. */
  path: string;
}
