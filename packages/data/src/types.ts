/** Which part of a dataset a reader loaded. */
export type Split = 'train' | 'test' | 'val';

/**
 * A labelled image dataset with random access. Images are uint8, HWC (channels-last), `height × width × channels`
 * bytes each; labels are class indices in `[0, classes)`.
 *
 * In-memory datasets (MNIST, Fashion-MNIST, CIFAR-10) keep all images in one uint8 cache; ImageNet decodes JPEGs
 * lazily into a bounded uint8 cache. Either way `image(i)` is the only way to read pixels.
 */
export interface ImageDataset {
  /** Dataset name, e.g. `"cifar10"`, `"mnist"`, `"fashion-mnist"`, `"imagenet"`. */
  readonly name: string;
  /** Which split was loaded. */
  readonly split: Split;
  /** Number of examples. */
  readonly count: number;
  /** Image height in pixels. */
  readonly height: number;
  /** Image width in pixels. */
  readonly width: number;
  /** Channels per pixel: 1 (MNIST) or 3 (RGB). */
  readonly channels: number;
  /** Number of classes; every label is `< classes`. */
  readonly classes: number;
  /** One label per example (`count` entries). */
  readonly labels: Uint8Array | Uint16Array;
  /**
   * Pixels of example `i` as HWC uint8 (`height * width * channels` bytes).
   * Without `out` the returned array may be a view into the dataset's cache: read it before the next call and
   * never write to it. With `out` (length ≥ the image size) the pixels are copied into `out`, which is returned.
   * @throws {RangeError} when `i` is not an integer in `[0, count)` or `out` is too short.
   * @throws {RangeError} for a lazily decoded dataset (ImageNet) when example `i` is not in the cache: call
   *   `await dataset.prefetch([i])` first, or iterate with `batchesAsync`.
   */
  image(i: number, out?: Uint8Array): Uint8Array;
  /**
   * Present only on lazily decoded datasets (ImageNet): reads, decodes, resizes and crops the given examples into
   * the bounded cache so that `image(i)` can return them. At most the cache capacity at once.
   * @throws {DataError} when a file is missing or not a valid JPEG.
   * @throws {RangeError} when more indices are asked for than the cache holds.
   */
  prefetch?(indices: readonly number[]): Promise<void>;
}

/** Data augmentation applied per example by {@link BatchOptions}; draws depend only on (seed, epoch, index). */
export interface AugmentOptions {
  /**
   * Random crop after zero padding (CIFAR: `{ padding: 4 }`): the image is padded by `padding` pixels on every
   * side and a `size × size` window is taken at a random offset. `size` defaults to the image size; a `size`
   * different from the image size changes the batch shape to `size × size`.
   */
  readonly crop?: { readonly size?: number; readonly padding: number };
  /** Random horizontal flip with probability 1/2. */
  readonly flip?: boolean;
}

/** Per-channel normalisation applied to `x / 255`: `(x / 255 - mean[c]) / std[c]`. */
export interface NormalizeOptions {
  /** One mean per channel. */
  readonly mean: readonly number[];
  /** One standard deviation per channel (each > 0). */
  readonly std: readonly number[];
}

/** Options of {@link batches}. */
export interface BatchOptions {
  /** Examples per batch (integer ≥ 1). */
  readonly batchSize: number;
  /** Visit examples in a seeded random order, different for every epoch. @default false */
  readonly shuffle?: boolean;
  /** Seed of the permutation and the augmentation draws. @default 0 */
  readonly seed?: number;
  /** Epoch number: selects the permutation and the augmentation draws of that epoch. @default 0 */
  readonly epoch?: number;
  /** First batch to produce: resuming with `startBatch = k` yields exactly batches k, k+1, … of the full epoch. @default 0 */
  readonly startBatch?: number;
  /** Drop the last batch when it is smaller than `batchSize`. @default false */
  readonly dropLast?: boolean;
  /** Random crop / flip, drawn per (seed, epoch, example index). */
  readonly augment?: AugmentOptions;
  /** Normalisation of `x / 255`; without it pixels are `x / 255` in `[0, 1]`. */
  readonly normalize?: NormalizeOptions;
  /** Memory layout of `images`. @default 'nhwc' */
  readonly layout?: 'nhwc' | 'nchw';
  /** Use only the first `limit` examples of the dataset (before shuffling). @default dataset.count */
  readonly limit?: number;
}

/** One batch produced by {@link batches}. */
export interface Batch {
  /** `size × h × w × c` (nhwc) or `size × c × h × w` (nchw) float32 values. */
  readonly images: Float32Array;
  /** `size` class indices. */
  readonly labels: Int32Array;
  /** Examples in this batch (≤ batchSize). */
  readonly size: number;
  /** `[n, h, w, c]` for nhwc or `[n, c, h, w]` for nchw, with `n = size`. */
  readonly shape: readonly [number, number, number, number];
  /** Batch number within the epoch (0-based, counting from the start of the epoch, not from `startBatch`). */
  readonly index: number;
}

/** Options of `loadMnist` / `loadFashionMnist`. */
export interface MnistOptions {
  /**
   * Folder with `train-images-idx3-ubyte`, `train-labels-idx1-ubyte`, `t10k-images-idx3-ubyte`,
   * `t10k-labels-idx1-ubyte`, each raw or with a `.gz` suffix.
   */
  readonly dir?: string;
  /** `'train'` (60,000 images) or `'test'` (10,000). */
  readonly split: 'train' | 'test';
}

/** Options of `loadCifar10`. */
export interface Cifar10Options {
  /** Folder with the official binary batches (`data_batch_1.bin` … `data_batch_5.bin`, `test_batch.bin`). */
  readonly dir?: string;
  /** Explicit batch files instead of `dir`, read in the given order (e.g. a subset such as `test_batch_first1000.bin`). */
  readonly files?: readonly string[];
  /** `'train'` (data batches 1–5) or `'test'` (`test_batch.bin`); with `files` it only names the split. */
  readonly split: 'train' | 'test';
}

/** Resampling filter used by pica when resizing ImageNet images. */
export type ResizeFilter = 'box' | 'hamming' | 'lanczos2' | 'lanczos3' | 'mks2013';

/** Options of `loadImageNet`. */
export interface ImageNetOptions {
  /**
   * Either one sub-folder per class holding JPEGs (synset folder names sorted → class index, as torchvision's
   * `ImageFolder`), or a flat folder of validation JPEGs together with `groundTruth`.
   */
  readonly dir: string;
  /** Which split the folder holds (labels only). @default 'val' */
  readonly split?: Split;
  /**
   * Ground-truth file for a flat folder: either lines `<file name> <label>` or one label per line in the order of
   * the sorted JPEG file names (ILSVRC2012_validation_ground_truth order). Labels must be `< classes`.
   */
  readonly groundTruth?: string;
  /** Number of classes (labels must be smaller). @default 1000 */
  readonly classes?: number;
  /** Side of the square centre crop. @default 224 */
  readonly size?: number;
  /** Length the shorter side is resized to before cropping. @default 256 */
  readonly resize?: number;
  /** pica resampling filter. @default 'hamming' (support 1, closest to torchvision's antialiased bilinear) */
  readonly filter?: ResizeFilter;
  /** Decoded images kept in the uint8 cache (each `size × size × 3` bytes). @default 256 */
  readonly cacheImages?: number;
  /** Refuse JPEGs larger than this many megapixels. @default 100 */
  readonly maxResolutionInMP?: number;
  /** Refuse JPEGs whose decoding needs more memory than this. @default 512 */
  readonly maxMemoryUsageInMB?: number;
}
