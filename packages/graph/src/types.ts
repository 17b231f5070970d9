/**
 * The model IR: a directed acyclic graph of layers with typed-array weights.
 *
 * Conventions (the same as PyTorch and ONNX, so pretrained weights and exports map one to one):
 * - activations are `[C, H, W]` per sample (batch dimension implicit), or `[F]` after flatten/dense;
 * - conv weights are `[out, in / groups, kh, kw]` (OIHW), dense weights `[out, in]`;
 * - every tensor is a row-major `Float32Array` with an explicit shape.
 *
 * Layers are listed in topological order; `inputs` name earlier layers. Parameter names follow torch:
 * `<layer name>.weight`, `.bias`, `.running_mean`, `.running_var` (see {@link paramNames}).
 */

/** A weight tensor: row-major data and its shape. */
export interface Tensor {
  readonly shape: readonly number[];
  data: Float32Array;
}

/** Explicit zero padding `[top, bottom, left, right]`. */
export type Pad4 = readonly [number, number, number, number];

/** A quantizer attached to a layer, by the name and parameters used in @quantprune/quantizers. */
export interface QuantizerSpec {
  /**
   * `binary` (sign, hardtanh/identity STE), `xnor` (sign · mean|w| per output channel), `dorefa`
   * (tanh-normalised weights, or clip/tanh activations), `uniform` (affine/symmetric k-bit), `lsq`.
   */
  readonly name: 'binary' | 'xnor' | 'dorefa' | 'uniform' | 'lsq';
  /** Bit-width (1 for binary/xnor). */
  readonly bits: number;
  /** Quantizer-specific options, e.g. `{ signOfZero: 0, gate: 'hardtanh', variant: 'tanh' }`. */
  readonly options?: Readonly<Record<string, number | string | boolean>>;
}

/** Compression annotations of a conv2d or dense layer. */
export interface Annotations {
  /** Quantizer of the weights (latent float weights stay in `weight`). */
  weightQuantizer?: QuantizerSpec;
  /** Quantizer applied to the layer's input activations. */
  activationQuantizer?: QuantizerSpec;
  /** Element mask of `weight` (unstructured pruning), 1 = kept, same length as `weight.data`. */
  mask?: Uint8Array;
  /** Output-channel mask (structured pruning), 1 = kept, one entry per output channel. */
  channelMask?: Uint8Array;
}

interface LayerBase {
  /** Unique name, torch-style (`layer1.0.conv1`). */
  readonly name: string;
  /** Names of the layers feeding this one (empty only for `input`). */
  readonly inputs: readonly string[];
}

export interface InputLayer extends LayerBase {
  readonly kind: 'input';
  /** Per-sample shape, `[C, H, W]` or `[F]`. */
  readonly shape: readonly number[];
}

export interface Conv2dLayer extends LayerBase, Annotations {
  readonly kind: 'conv2d';
  readonly inChannels: number;
  readonly outChannels: number;
  readonly kernel: readonly [number, number];
  readonly stride: readonly [number, number];
  readonly padding: Pad4;
  readonly dilation: readonly [number, number];
  readonly groups: number;
  /** `[outChannels, inChannels / groups, kh, kw]`. */
  weight: Tensor;
  /** `[outChannels]` or absent. */
  bias?: Tensor;
}

export interface DenseLayer extends LayerBase, Annotations {
  readonly kind: 'dense';
  readonly inFeatures: number;
  readonly outFeatures: number;
  /** `[outFeatures, inFeatures]`. */
  weight: Tensor;
  bias?: Tensor;
}

export interface BatchNormLayer extends LayerBase {
  readonly kind: 'batchnorm';
  readonly channels: number;
  readonly eps: number;
  /** Running-statistics momentum, torch convention (new = (1 − m)·old + m·batch). */
  readonly momentum: number;
  /** γ and β, absent when affine = false. */
  weight?: Tensor;
  bias?: Tensor;
  runningMean: Tensor;
  runningVar: Tensor;
}

export interface ReluLayer extends LayerBase {
  readonly kind: 'relu';
}

export interface PreluLayer extends LayerBase {
  readonly kind: 'prelu';
  /** Slopes: `[1]` (shared) or `[channels]`. */
  weight: Tensor;
}

export interface HardtanhLayer extends LayerBase {
  readonly kind: 'hardtanh';
  readonly min: number;
  readonly max: number;
}

export interface SignLayer extends LayerBase {
  readonly kind: 'sign';
}

export interface PoolLayer extends LayerBase {
  readonly kind: 'maxpool' | 'avgpool';
  readonly kernel: readonly [number, number];
  readonly stride: readonly [number, number];
  readonly padding: Pad4;
}

export interface GlobalAvgPoolLayer extends LayerBase {
  readonly kind: 'globalavgpool';
}

/** Element-wise sum of two or more inputs of equal shape (residual join). */
export interface AddLayer extends LayerBase {
  readonly kind: 'add';
}

export interface FlattenLayer extends LayerBase {
  readonly kind: 'flatten';
}

/**
 * Option-A shortcut of the CIFAR ResNets: `x[:, ::stride, ::stride]` zero-padded with `before` and
 * `after` channels.
 */
export interface ShortcutPadLayer extends LayerBase {
  readonly kind: 'shortcut-pad';
  readonly stride: number;
  readonly before: number;
  readonly after: number;
}

export type Layer =
  | InputLayer
  | Conv2dLayer
  | DenseLayer
  | BatchNormLayer
  | ReluLayer
  | PreluLayer
  | HardtanhLayer
  | SignLayer
  | PoolLayer
  | GlobalAvgPoolLayer
  | AddLayer
  | FlattenLayer
  | ShortcutPadLayer;

export type LayerKind = Layer['kind'];

/** A model: layers in topological order and the name of the output layer. */
export interface Graph {
  readonly name: string;
  layers: Layer[];
  readonly output: string;
}
