// @quantprune/graph: the model IR (no runtime dependency besides @quantprune/formats' size accounting).
export type {
  AddLayer,
  Annotations,
  BatchNormLayer,
  Conv2dLayer,
  DenseLayer,
  FlattenLayer,
  GlobalAvgPoolLayer,
  Graph,
  HardtanhLayer,
  InputLayer,
  Layer,
  LayerKind,
  Pad4,
  PoolLayer,
  PreluLayer,
  QuantizerSpec,
  ReluLayer,
  ShortcutPadLayer,
  SignLayer,
  Tensor,
} from './types.ts';
export type {
  EvaluateOptions,
  EvaluateReport,
  ProximalTerm,
  StepInfo,
  TrainHooks,
  TrainOptions,
  TrainReport,
  Trainer,
  WeightMap,
} from './trainer.ts';
export { GraphError } from './errors.ts';
export { convOutputSize, inferShapes } from './shape-inference.ts';
export { validateGraph } from './validate.ts';
export { getParam, paramNames, setParam } from './param-names.ts';
export { GraphBuilder } from './builder.ts';
export type { BatchNormOptions, ConvOptions, DenseOptions, GraphBuilderOptions, PoolOptions, PreluOptions } from './builder.ts';
export { createModel, ZOO_NAMES } from './zoo/zoo.ts';
export type { CreateModelOptions, ZooName } from './zoo/zoo.ts';
export { applyPrecision, PRECISION_PRESETS } from './precision.ts';
export type { PrecisionOptions, PrecisionPreset } from './precision.ts';
export { countMacs, countParams, summarize, toLayerSpecs } from './summary.ts';
export type { GraphSummary, SummarizeOptions, SummaryRow } from './summary.ts';
export {
  defaultWeightMapping,
  loadWeights,
  LoadWeightsError,
  readSafetensors,
  readSafetensorsHeader,
  SafetensorsError,
} from './safetensors.ts';
export type {
  LoadWeightsOptions,
  SafetensorsEntry,
  SafetensorsFloatDType,
  SafetensorsHeader,
  SafetensorsTensor,
  WeightMismatch,
} from './safetensors.ts';
export { forward } from './forward.ts';
export type { ForwardOptions } from './forward.ts';
export { channelGroups } from './coupling.ts';
export type { ChannelConsumer, ChannelGroup, ChannelSlice, ConsumerRole } from './coupling.ts';
export { applyChannelMasks, removeChannels, silenceMaskedChannels } from './channel-removal.ts';
export { loadGraph, saveGraph } from './serialize.ts';
export type { SaveGraphOptions } from './serialize.ts';
