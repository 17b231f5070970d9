/**
 * The model zoo of Paper A and Paper B by name (the names used by the API, the CLI and recipes).
 */
import type { Graph } from '../types.ts';
import type { FamilyOptions } from './family.ts';
import { lenet300100, lenet5 } from './lenet.ts';
import { resnetCifar } from './resnet-cifar.ts';
import { resnet14Cifar, resnet18ImagenetPaperA } from './resnet-paper-a.ts';
import { resnet18Imagenet } from './resnet18-imagenet.ts';
import { vgg11Cifar } from './vgg11-cifar.ts';

/** Every zoo model name, in a stable order. */
export const ZOO_NAMES = [
  'lenet5',
  'lenet300-100',
  'vgg11-cifar',
  'resnet14-cifar',
  'resnet20-cifar',
  'resnet32-cifar',
  'resnet44-cifar',
  'resnet56-cifar',
  'resnet18-imagenet',
  'resnet18-imagenet-paper-a',
] as const;

/** A zoo model name. */
export type ZooName = (typeof ZOO_NAMES)[number];

/** Options of {@link createModel}. */
export interface CreateModelOptions {
  /** Seed of the weight initialisation. @default 0 */
  readonly seed?: number;
  /** Classes of the classifier. @default 10 (1,000 for the ImageNet models) */
  readonly numClasses?: number;
  /** Shortcut of resnet20/32/44/56-cifar where the shape changes: 'A' zero-pad (default) or 'B' 1×1 conv + BN. */
  readonly shortcut?: 'A' | 'B';
}

const FAMILIES: Record<ZooName, { readonly classes: number; readonly shortcut: boolean; readonly build: (o: FamilyOptions) => Graph }> = {
  lenet5: { classes: 10, shortcut: false, build: lenet5 },
  'lenet300-100': { classes: 10, shortcut: false, build: lenet300100 },
  'vgg11-cifar': { classes: 10, shortcut: false, build: vgg11Cifar },
  'resnet14-cifar': { classes: 10, shortcut: false, build: resnet14Cifar },
  'resnet20-cifar': { classes: 10, shortcut: true, build: (o) => resnetCifar(20, o) },
  'resnet32-cifar': { classes: 10, shortcut: true, build: (o) => resnetCifar(32, o) },
  'resnet44-cifar': { classes: 10, shortcut: true, build: (o) => resnetCifar(44, o) },
  'resnet56-cifar': { classes: 10, shortcut: true, build: (o) => resnetCifar(56, o) },
  'resnet18-imagenet': { classes: 1000, shortcut: false, build: resnet18Imagenet },
  'resnet18-imagenet-paper-a': { classes: 1000, shortcut: false, build: resnet18ImagenetPaperA },
};

/**
 * Builds a zoo model with freshly initialised weights (see {@link GraphBuilder} for the distributions). The
 * graph is the full-precision topology; apply a precision preset with `applyPrecision`.
 *
 * @param name - one of {@link ZOO_NAMES}
 * @param options - seed, number of classes, CIFAR ResNet shortcut option
 * @returns the graph, named `name`, with torch-style layer names
 * @throws RangeError for an unknown name, a bad `numClasses`/`seed`, or `shortcut` on a model without that option
 * @example
 * ```ts
 * countParams(createModel('resnet20-cifar')); // 269722
 * ```
 */
export function createModel(name: ZooName, options: CreateModelOptions = {}): Graph {
  const family = Object.hasOwn(FAMILIES, name) ? FAMILIES[name] : undefined;
  if (!family) throw new RangeError(`createModel: unknown model ${JSON.stringify(name)}; models: ${ZOO_NAMES.join(', ')}`);
  const numClasses = options.numClasses ?? family.classes;
  if (!Number.isSafeInteger(numClasses) || numClasses < 1) {
    throw new RangeError(`createModel: numClasses must be a positive integer, got ${String(options.numClasses)}`);
  }
  const shortcut = options.shortcut ?? 'A';
  if (shortcut !== 'A' && shortcut !== 'B') throw new RangeError(`createModel: shortcut must be 'A' or 'B', got ${JSON.stringify(options.shortcut)}`);
  if (options.shortcut !== undefined && !family.shortcut) {
    throw new RangeError(`createModel: shortcut applies to resnet20/32/44/56-cifar only, not ${name}`);
  }
  return family.build({ seed: options.seed ?? 0, numClasses, shortcut });
}
