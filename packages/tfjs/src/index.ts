// Core (backend selection, fast conv gradients, BatchNorm, IR compilation)
export { initBackend } from './backend.ts';
export type { BackendInfo, BackendOptions, BackendPreference } from './backend.ts';
export { hasConvGradientKernels, registerConvGradientKernels, unregisterConvGradientKernels } from './conv-gradients.ts';
export type { ConvGradientBackend } from './conv-gradients.ts';
export { batchNorm } from './batch-norm.ts';
export type { BatchNormState } from './batch-norm.ts';
export { compileGraph } from './compile.ts';
export type { ApplyOptions, CompiledModel, CompileOptions } from './compile.ts';
// Training (optimiser, schedules, losses, loop, evaluation, checkpoints, progress, the Trainer implementation)
export { checkOptimizerConfig, TrainingOptimizer } from './optimizer.ts';
export type { OptimizerConfig, OptimizerHooks, OptimizerParam, OptimizerState } from './optimizer.ts';
export { checkSchedule, learningRateAt, PAPER_A_REGIMES } from './schedules.ts';
export type { ConstantSchedule, CosineSchedule, LadderSchedule, Schedule, SchedulePosition, StepSchedule } from './schedules.ts';
export { crossEntropyPerExample, distillationLoss, proximalPenalty, softmaxCrossEntropy, softOrthogonality } from './losses.ts';
export type { ProximalTensor } from './losses.ts';
export { batchMetrics, evaluateClassifier, evaluateGraph } from './evaluate.ts';
export { prescaleDoReFaWeights } from './prescale-dorefa-weights.ts';
export { recalibrateBatchNorm } from './recalibrate-batch-norm.ts';
export type { RecalibrateBatchNormOptions } from './recalibrate-batch-norm.ts';
export type { Classifier, EvaluateClassifierOptions, EvaluateGraphOptions } from './evaluate.ts';
export { CheckpointError, decodeCheckpoint, encodeCheckpoint, loadCheckpoint, saveCheckpoint, writeFileAtomic } from './checkpoint.ts';
export type { Checkpoint, CheckpointHeader, TrainingPosition } from './checkpoint.ts';
export { barProgress, defaultProgress, formatDuration, formatProgressLine, lineProgress, silentProgress } from './progress.ts';
export type { ProgressReporter, ProgressUpdate } from './progress.ts';
export { TrainingDivergedError } from './train-loop.ts';
export { createTrainer } from './trainer.ts';
export type { EpochReport, TfjsTrainer, TrainerOptions } from './trainer.ts';
