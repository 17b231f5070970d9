/**
 * Model-size accounting: theoretical bits of a list of layers under a named convention, and the plan of the
 * tensors a `.qpk` file would hold for them, so the real file size can be predicted and compared.
 *
 * Conventions:
 * - `paper-a` — the counting of Paper A's code (`model_profiling.py`, see shared/reference/papers.md §A.5):
 *   conv/dense weights at their bit-width (32 for full precision), an XNOR scale adds 32 bits per output
 *   channel, a bias 32 bits per output channel, BatchNorm 2 × 32 bits per channel (γ, β; running statistics not
 *   counted), PReLU 32 bits per parameter. Structured pruning shows up as smaller shapes.
 * - `weights-only` — Paper B's "storage of weight data": conv/dense value bits, Σ nnz·bits; with
 *   `indexBits: 'relative'` also Deep-Compression relative indices, Σ entries·(b + bits) with b = 4 (conv) or
 *   5 (dense) and entries = non-zeros plus fillers (exact when a mask is given, else the lower bound nnz).
 */
import { elementCount } from './internal/checks.ts';
import { dorefaLevels, type Quantization } from './quantization.ts';
import { defaultIndexBits, relativeEntryCount } from './sparse-relative.ts';
import type { ContainerTensorSpec } from './container.ts';
import type { SparseFormat, TensorEncoding } from './tensor-codec.ts';

/** Kinds of layers that carry parameters. */
export type LayerKind = 'conv' | 'dense' | 'batchnorm' | 'prelu';

/** One layer of a model, as far as size is concerned. */
export interface LayerSpec {
  readonly name: string;
  readonly kind: LayerKind;
  /** conv `[out, in, kh, kw]`; dense `[out, in]`; batchnorm `[channels]`; prelu `[parameters]`. */
  readonly shape: readonly number[];
  /** Bits per weight: 32 = full precision, 1 = binary, 2 = DoReFa 2-bit, … @default 32 */
  readonly weightBits?: number;
  /** XNOR-Net style: one float32 scale per output channel. @default false */
  readonly channelScales?: boolean;
  /** The layer has a bias vector (one per output channel). @default false */
  readonly bias?: boolean;
  /** Non-zero weights after unstructured pruning. @default all */
  readonly nonzeros?: number;
  /** Element mask (1 = kept) of an unstructurally pruned weight; gives exact relative-index counts. */
  readonly mask?: Uint8Array;
  /** Relative-index gap width for this layer. @default 4 for conv, 5 for dense */
  readonly indexBits?: number;
}

/** Names of the accounting conventions. */
export type SizeConvention = 'paper-a' | 'weights-only';

/** Options of {@link accountSize}. */
export interface AccountSizeOptions {
  /** For `weights-only`: count index bits too. @default 'none' */
  readonly indexBits?: 'none' | 'relative';
}

/** One row of a size report. */
export interface SizeReportRow {
  readonly name: string;
  readonly kind: LayerKind;
  readonly shape: readonly number[];
  /** Parameters counted (weights + scales + bias, or BN/PReLU parameters). */
  readonly params: number;
  /** Bits per weight (32 for BN/PReLU). */
  readonly weightBits: number;
  readonly bits: number;
  /** Whether `bits` is a lower bound (relative indexing without a mask). */
  readonly approximate: boolean;
}

/** A size report: rows and totals. */
export interface SizeReport {
  readonly convention: SizeConvention;
  readonly rows: readonly SizeReportRow[];
  readonly totalBits: number;
  readonly totalParams: number;
  /** totalBits / 8. */
  readonly bytes: number;
  /** Mebibytes, 2^20 bytes (Paper A's "MB", per papers.md §A.5). */
  readonly mib: number;
  /** Megabytes, 10^6 bytes. */
  readonly mb: number;
  readonly approximate: boolean;
}

/**
 * Theoretical size of a layer list under a convention.
 *
 * @param layers - the model's parameterised layers
 * @param convention - `paper-a` or `weights-only`
 * @param options - index-bit counting for `weights-only`
 * @returns per-layer rows and totals
 * @throws RangeError for invalid shapes, bit-widths or non-zero counts
 * @example
 * ```ts
 * accountSize([{ name: 'fc', kind: 'dense', shape: [10, 500] }], 'weights-only').totalBits; // 160000
 * ```
 */
export function accountSize(layers: readonly LayerSpec[], convention: SizeConvention, options: AccountSizeOptions = {}): SizeReport {
  if (convention !== 'paper-a' && convention !== 'weights-only') {
    throw new RangeError(`accountSize: convention must be 'paper-a' or 'weights-only', got ${JSON.stringify(convention)}`);
  }
  const rows: SizeReportRow[] = [];
  for (const layer of layers) {
    checkLayer(layer);
    const weights = elementCount(layer.shape);
    const wb = layer.weightBits ?? 32;
    const isWeight = layer.kind === 'conv' || layer.kind === 'dense';
    const out = layer.shape[0]!;
    let params = weights;
    let bits = 0;
    let approximate = false;
    if (convention === 'paper-a') {
      if (layer.kind === 'batchnorm') {
        params = 2 * weights;
        bits = 32 * params;
      } else if (layer.kind === 'prelu') {
        bits = 32 * weights;
      } else {
        bits = weights * wb;
        if (layer.channelScales) {
          params += out;
          bits += 32 * out;
        }
        if (layer.bias) {
          params += out;
          bits += 32 * out;
        }
      }
    } else {
      if (!isWeight) continue;
      const nnz = layer.nonzeros ?? (layer.mask ? countNonzero(layer.mask) : weights);
      params = nnz;
      bits = nnz * wb;
      if (options.indexBits === 'relative') {
        const b = layer.indexBits ?? defaultIndexBits(layer.kind === 'conv' ? 'conv' : 'dense');
        const entries = layer.mask ? relativeEntryCount(layer.mask, b) : nnz;
        approximate = !layer.mask && nnz < weights;
        bits = entries * (b + wb);
      }
    }
    rows.push({ name: layer.name, kind: layer.kind, shape: [...layer.shape], params, weightBits: isWeight ? wb : 32, bits, approximate });
  }
  const totalBits = rows.reduce((s, r) => s + r.bits, 0);
  return {
    convention,
    rows,
    totalBits,
    totalParams: rows.reduce((s, r) => s + r.params, 0),
    bytes: totalBits / 8,
    mib: totalBits / 8 / 2 ** 20,
    mb: totalBits / 8 / 1e6,
    approximate: rows.some((r) => r.approximate),
  };
}

function countNonzero(mask: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < mask.length; i++) if (mask[i]) n++;
  return n;
}

function checkLayer(layer: LayerSpec): void {
  const fn = 'accountSize';
  if (!['conv', 'dense', 'batchnorm', 'prelu'].includes(layer.kind)) {
    throw new RangeError(`${fn}: layer "${layer.name}" has unknown kind ${JSON.stringify(layer.kind)}`);
  }
  const rank = { conv: 4, dense: 2, batchnorm: 1, prelu: 1 }[layer.kind];
  if (layer.shape.length !== rank || layer.shape.some((d) => !Number.isSafeInteger(d) || d < 1)) {
    throw new RangeError(`${fn}: layer "${layer.name}" (${layer.kind}) needs a shape of ${rank} positive integers, got [${layer.shape.join(', ')}]`);
  }
  const wb = layer.weightBits ?? 32;
  if (!(wb === 32 || (Number.isInteger(wb) && wb >= 1 && wb <= 8))) {
    throw new RangeError(`${fn}: layer "${layer.name}" weightBits must be 1..8 or 32, got ${wb}`);
  }
  const weights = elementCount(layer.shape);
  if (layer.nonzeros !== undefined && !(Number.isInteger(layer.nonzeros) && layer.nonzeros >= 0 && layer.nonzeros <= weights)) {
    throw new RangeError(`${fn}: layer "${layer.name}" nonzeros must be an integer in [0, ${weights}], got ${layer.nonzeros}`);
  }
  if (layer.mask !== undefined && layer.mask.length !== weights) {
    throw new RangeError(`${fn}: layer "${layer.name}" mask has ${layer.mask.length} entries for ${weights} weights`);
  }
}

/** How {@link planLayerTensors} stores weights. */
export interface PlanLayerTensorsOptions {
  /**
   * Sparse format for pruned (`nonzeros`/`mask`) weights.
   * @default relative indexing (4 bits conv / 5 dense) for float32 weights, bitmask for k-bit weights
   */
  readonly sparse?: SparseFormat;
}

/**
 * The tensors a `.qpk` file holds for a layer list, with their encodings, so that
 * {@link predictContainerBytes} gives the file size without any weights. Weights of `weightBits` < 32 are k-bit
 * level codes (binary {−1, 1}; k ≥ 2 the DoReFa table, which a pruned layer needs to contain 0 — use
 * `weightBits` with an affine encoding of your own otherwise), with a per-channel scale when `channelScales`;
 * full-precision weights, biases, BN γ/β and PReLU slopes are raw float32. Tensors are named `<layer>.weight`,
 * `.scale`, `.bias`, `.gamma`, `.beta`.
 *
 * @param layers - the layer list
 * @param options - sparse format for pruned weights
 * @returns tensor specs in layer order
 */
export function planLayerTensors(layers: readonly LayerSpec[], options: PlanLayerTensorsOptions = {}): ContainerTensorSpec[] {
  const specs: ContainerTensorSpec[] = [];
  const raw = (name: string, shape: readonly number[]): ContainerTensorSpec => ({
    name,
    shape,
    encoding: { dtype: 'float32', values: { kind: 'raw' }, sparse: null, count: elementCount(shape), huffman: null },
  });
  for (const layer of layers) {
    checkLayer(layer);
    const out = layer.shape[0]!;
    if (layer.kind === 'batchnorm') {
      specs.push(raw(`${layer.name}.gamma`, layer.shape), raw(`${layer.name}.beta`, layer.shape));
      continue;
    }
    if (layer.kind === 'prelu') {
      specs.push(raw(`${layer.name}.weight`, layer.shape));
      continue;
    }
    const weights = elementCount(layer.shape);
    const nnz = layer.nonzeros ?? (layer.mask ? countNonzero(layer.mask) : weights);
    const wb = layer.weightBits ?? 32;
    let sparse: SparseFormat | null = null;
    let count = weights;
    if (nnz < weights) {
      // Relative-index fillers need a code for 0, which the planned level tables do not have: bitmask for them.
      sparse = options.sparse ?? (wb < 32 ? { kind: 'bitmask' } : { kind: 'relative', indexBits: layer.indexBits ?? defaultIndexBits(layer.kind === 'conv' ? 'conv' : 'dense') });
      count = sparse.kind === 'relative' ? (layer.mask ? relativeEntryCount(layer.mask, sparse.indexBits) : nnz) : nnz;
    }
    const q = weightQuantization(wb, layer.channelScales ? out : 0);
    const encoding: TensorEncoding = q
      ? { dtype: 'float32', values: { kind: 'levels', bits: wb, levels: q.levels, channels: q.channels, axis: q.channels > 0 ? 0 : null }, sparse, count, huffman: null }
      : { dtype: 'float32', values: { kind: 'raw' }, sparse, count, huffman: null };
    specs.push({ name: `${layer.name}.weight`, shape: layer.shape, encoding });
    if (layer.bias) specs.push(raw(`${layer.name}.bias`, [out]));
  }
  return specs;
}

function weightQuantization(bits: number, channels: number): { levels: number; channels: number } | null {
  if (bits === 32) return null;
  return { levels: 2 ** bits, channels };
}

/**
 * The level-table descriptor {@link planLayerTensors} assumes for `weightBits` < 32: binary {−1, 1} for 1 bit,
 * the DoReFa table otherwise, with per-output-channel `scale` when given.
 */
export function plannedWeightQuantization(bits: number, scale?: Float32Array): Quantization {
  const levels = bits === 1 ? Float32Array.of(-1, 1) : dorefaLevels(bits);
  return { kind: 'levels', bits, levels, scale: scale ?? null, axis: scale ? 0 : null };
}
