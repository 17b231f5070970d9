import type { ImageDataset, Split } from './types.ts';

/** Everything {@link memoryDataset} needs: the shape, the labels and one uint8 buffer of all images. */
export interface MemoryDatasetSpec {
  /** Dataset name, e.g. `"cifar10"`. */
  readonly name: string;
  /** Which split the images are. */
  readonly split: Split;
  /** Image height in pixels. */
  readonly height: number;
  /** Image width in pixels. */
  readonly width: number;
  /** Channels per pixel. */
  readonly channels: number;
  /** Number of classes; every label must be smaller. */
  readonly classes: number;
  /** One label per image. */
  readonly labels: Uint8Array | Uint16Array;
  /** All images back to back, each HWC uint8 (`labels.length × height × width × channels` bytes). Not copied. */
  readonly pixels: Uint8Array;
}

/**
 * Wraps images already in memory (one HWC uint8 buffer) as an {@link ImageDataset}. The readers of MNIST,
 * Fashion-MNIST and CIFAR-10 return such datasets; it is also the way to feed synthetic or user data to `batches`.
 *
 * @param spec shape, labels and pixels (kept by reference, not copied).
 * @returns a dataset whose `image(i)` is a view into `spec.pixels`.
 * @throws {RangeError} when a dimension is not a positive integer, the pixel buffer does not match the shape, or a
 *   label is not smaller than `classes`.
 * @example
 * ```ts
 * const ds = memoryDataset({ name: 'toy', split: 'train', height: 2, width: 2, channels: 1, classes: 2,
 *   labels: Uint8Array.of(0, 1), pixels: new Uint8Array(8) });
 * ds.image(1); // Uint8Array(4)
 * ```
 */
export function memoryDataset(spec: MemoryDatasetSpec): ImageDataset {
  const { name, split, height, width, channels, classes, labels, pixels } = spec;
  for (const [key, value] of [['height', height], ['width', width], ['channels', channels], ['classes', classes]] as const) {
    if (!Number.isSafeInteger(value) || value < 1) throw new RangeError(`memoryDataset: ${key} must be a positive integer, got ${value}`);
  }
  const imageBytes = height * width * channels;
  const count = labels.length;
  if (pixels.length !== count * imageBytes) {
    throw new RangeError(`memoryDataset: pixels must hold ${count} × ${height} × ${width} × ${channels} = ${count * imageBytes} bytes, got ${pixels.length}`);
  }
  for (let i = 0; i < count; i++) {
    if (labels[i]! >= classes) throw new RangeError(`memoryDataset: label ${labels[i]} of example ${i} is not < classes (${classes})`);
  }
  return {
    name,
    split,
    count,
    height,
    width,
    channels,
    classes,
    labels,
    image(i: number, out?: Uint8Array): Uint8Array {
      if (!Number.isInteger(i) || i < 0 || i >= count) throw new RangeError(`${name}.image: index must be an integer in [0, ${count}), got ${i}`);
      const view = pixels.subarray(i * imageBytes, (i + 1) * imageBytes);
      if (out === undefined) return view;
      if (out.length < imageBytes) throw new RangeError(`${name}.image: out must hold ${imageBytes} bytes, got ${out.length}`);
      out.set(view);
      return out;
    },
  };
}
