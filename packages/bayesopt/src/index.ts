export { acquisitionValue } from './acquisition.ts';
export type { AcquisitionGradient, AcquisitionName } from './acquisition.ts';
export { minimizeBounded } from './bounded-lbfgs.ts';
export type { BoundedMinimizeOptions, BoundedMinimizeResult, BoundedObjective } from './bounded-lbfgs.ts';
export { DEFAULT_GP_BOUNDS, DEFAULT_GP_PRIOR, GaussianProcess, gpLogMarginalLikelihood, gpLogPrior } from './gp.ts';
export type { GammaPrior, GpBounds, GpFitOptions, GpHyperparameters, GpOptions, GpPrediction, GpPrior } from './gp.ts';
export { kernelTerms } from './kernel.ts';
export type { KernelName, KernelTerms } from './kernel.ts';
export { latinHypercube } from './lhs.ts';
export { choleskyWithJitter } from './linalg.ts';
export type { CholeskyResult } from './linalg.ts';
export { maximize, minimize } from './minimize.ts';
export type { MinimizeOptions, MinimizeResult, Objective, ProgressInfo } from './minimize.ts';
export { logH, logNormalCdf, normalCdf, normalPdf } from './normal.ts';
export type { LogH } from './normal.ts';
export { BayesianOptimizer } from './optimizer.ts';
export type {
  BatchStrategy,
  Direction,
  FailurePolicy,
  InitialDesign,
  Observation,
  OptimizerOptions,
  OptimizerState,
  ResolvedOptimizerOptions,
} from './optimizer.ts';
export { Random } from './random.ts';
export type { RandomState } from './random.ts';
export { SOBOL_MAX_DIMENSION, SobolSequence, sobolPoints } from './sobol.ts';
export type { SobolOptions } from './sobol.ts';
export { EncodedSpace, validateSpace } from './space.ts';
export type { CategoricalDimension, ContinuousDimension, Dimension, IntegerDimension, ParameterValue, Point, SearchSpace } from './space.ts';
