/**
 * Learning-rate schedules as pure functions of the training position (global step and epoch), so a resumed
 * run needs no schedule state beyond the position itself.
 */

/** A constant learning rate. */
export interface ConstantSchedule {
  readonly kind: 'constant';
  readonly lr: number;
}

/**
 * Step decay: `lr · gamma^k` where `k` counts the milestones already reached (torch `MultiStepLR`).
 * Milestones are epochs (default) or global steps.
 */
export interface StepSchedule {
  readonly kind: 'step';
  readonly lr: number;
  /** Increasing epochs (or steps) at which the rate is multiplied by `gamma`. */
  readonly milestones: readonly number[];
  readonly gamma: number;
  /** @default 'epoch' */
  readonly unit?: 'epoch' | 'step';
}

/**
 * Linear warm-up from `lr / warmupSteps` to `lr` over `warmupSteps` steps, then half a cosine down to `minLr`
 * at `totalSteps` (and `minLr` after it).
 */
export interface CosineSchedule {
  readonly kind: 'cosine';
  readonly lr: number;
  readonly totalSteps: number;
  /** @default 0 */
  readonly warmupSteps?: number;
  /** @default 0 */
  readonly minLr?: number;
}

/**
 * An epoch ladder `{ epoch: lr }` as in Paper A's code (`regime` dicts): the rate of the largest key ≤ the
 * current epoch + `startEpoch`. Keys are epoch numbers, written as strings in JSON.
 */
export interface LadderSchedule {
  readonly kind: 'ladder';
  readonly regime: Readonly<Record<string, number>>;
  /** Epoch of the regime that epoch 0 of this run corresponds to (Paper A starts pretrained runs at 40). @default 0 */
  readonly startEpoch?: number;
}

/** Every schedule; plain JSON, stored as-is in checkpoints. */
export type Schedule = ConstantSchedule | StepSchedule | CosineSchedule | LadderSchedule;

/** Where training is: the 0-based index of the step about to run, and its 0-based epoch. */
export interface SchedulePosition {
  readonly step: number;
  readonly epoch: number;
}

/**
 * Paper A's learning-rate regimes (papers.md §A.4 and §A.3.8; optimizer Adam in all of them).
 * `*-retrain` are the short `ReTrain` ladders used after each pruning step.
 */
export const PAPER_A_REGIMES: Readonly<Record<string, Readonly<Record<string, number>>>> = {
  // papers.md §A.4, ImageNet ResNet-18 `regime`
  'imagenet-resnet18': { 0: 1e-2, 20: 5e-3, 30: 1e-3, 40: 5e-4, 60: 5e-5, 70: 5e-6, 75: 5e-7 },
  // papers.md §A.4, CIFAR-10 ResNet ("ResNet-18" = wide ResNet-14)
  'cifar-resnet': { 0: 5e-3, 101: 1e-3, 142: 5e-4, 184: 1e-4, 220: 1e-5 },
  // papers.md §A.4, CIFAR-10 VGG-11
  'cifar-vgg11': { 0: 5e-3, 40: 1e-3, 80: 5e-4, 100: 1e-4, 120: 5e-5, 140: 1e-5 },
  // papers.md §A.3.8, `ReTrain` regimes
  'imagenet-resnet18-retrain': { 0: 5e-3, 1: 1e-3, 2: 5e-4, 3: 1e-4 },
  'cifar-resnet-retrain': { 0: 5e-3, 1: 1e-3, 2: 5e-4, 3: 1e-4, 4: 1e-5 },
  'cifar-vgg11-retrain': { 0: 5e-3, 1: 1e-3, 2: 5e-4, 3: 1e-4, 4: 5e-5 },
};

/**
 * The learning rate at a training position.
 *
 * @param schedule - the schedule (validated by {@link checkSchedule})
 * @param position - 0-based global step about to run and its 0-based epoch
 * @returns the learning rate (≥ 0)
 * @throws RangeError for an invalid schedule or position
 * @example
 * ```ts
 * learningRateAt({ kind: 'step', lr: 0.1, milestones: [2, 4], gamma: 0.1 }, { step: 0, epoch: 3 }); // 0.01
 * learningRateAt({ kind: 'ladder', regime: PAPER_A_REGIMES['cifar-resnet']! }, { step: 0, epoch: 150 }); // 5e-4
 * ```
 */
export function learningRateAt(schedule: Schedule, position: SchedulePosition): number {
  checkSchedule(schedule);
  const { step, epoch } = position;
  if (!Number.isInteger(step) || step < 0) throw new RangeError(`learningRateAt: position.step must be an integer ≥ 0, got ${step}`);
  if (!Number.isInteger(epoch) || epoch < 0) throw new RangeError(`learningRateAt: position.epoch must be an integer ≥ 0, got ${epoch}`);
  switch (schedule.kind) {
    case 'constant':
      return schedule.lr;
    case 'step': {
      const at = (schedule.unit ?? 'epoch') === 'epoch' ? epoch : step;
      const reached = schedule.milestones.filter((m) => at >= m).length;
      return schedule.lr * schedule.gamma ** reached;
    }
    case 'cosine': {
      const warmup = schedule.warmupSteps ?? 0;
      const minLr = schedule.minLr ?? 0;
      if (step < warmup) return (schedule.lr * (step + 1)) / warmup;
      const t = Math.min(1, (step - warmup) / Math.max(1, schedule.totalSteps - warmup));
      return minLr + ((schedule.lr - minLr) * (1 + Math.cos(Math.PI * t))) / 2;
    }
    case 'ladder': {
      const at = epoch + (schedule.startEpoch ?? 0);
      let best = -1;
      let lr = Number.NaN;
      for (const [key, value] of Object.entries(schedule.regime)) {
        const e = Number(key);
        if (e <= at && e > best) [best, lr] = [e, value];
      }
      if (best < 0) throw new RangeError(`learningRateAt: the ladder has no entry at or before epoch ${at}`);
      return lr;
    }
  }
}

/**
 * Validates a schedule.
 *
 * @param schedule - the schedule to check
 * @throws RangeError naming the field and value when something is out of range or unknown
 */
export function checkSchedule(schedule: Schedule): void {
  const fn = 'checkSchedule';
  const rate = (name: string, v: unknown): void => {
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new RangeError(`${fn}: ${name} must be a finite number ≥ 0, got ${String(v)}`);
  };
  switch (schedule.kind) {
    case 'constant':
      rate('lr', schedule.lr);
      return;
    case 'step': {
      rate('lr', schedule.lr);
      rate('gamma', schedule.gamma);
      const ms = schedule.milestones;
      if (!Array.isArray(ms) || ms.some((m, i) => !Number.isInteger(m) || m < 0 || (i > 0 && m <= ms[i - 1]!))) {
        throw new RangeError(`${fn}: milestones must be increasing integers ≥ 0, got ${JSON.stringify(ms)}`);
      }
      if (schedule.unit !== undefined && schedule.unit !== 'epoch' && schedule.unit !== 'step') {
        throw new RangeError(`${fn}: unit must be 'epoch' or 'step', got ${String(schedule.unit)}`);
      }
      return;
    }
    case 'cosine': {
      rate('lr', schedule.lr);
      rate('minLr', schedule.minLr ?? 0);
      const { totalSteps, warmupSteps = 0 } = schedule;
      if (!Number.isInteger(totalSteps) || totalSteps < 1) throw new RangeError(`${fn}: totalSteps must be an integer ≥ 1, got ${totalSteps}`);
      if (!Number.isInteger(warmupSteps) || warmupSteps < 0 || warmupSteps > totalSteps) {
        throw new RangeError(`${fn}: warmupSteps must be an integer in [0, totalSteps], got ${warmupSteps}`);
      }
      return;
    }
    case 'ladder': {
      const entries = Object.entries(schedule.regime ?? {});
      if (entries.length === 0) throw new RangeError(`${fn}: regime must have at least one { epoch: lr } entry`);
      for (const [key, value] of entries) {
        const e = Number(key);
        if (!Number.isInteger(e) || e < 0) throw new RangeError(`${fn}: regime keys must be epochs (integers ≥ 0), got ${key}`);
        rate(`regime[${key}]`, value);
      }
      const start = schedule.startEpoch ?? 0;
      if (!Number.isInteger(start) || start < 0) throw new RangeError(`${fn}: startEpoch must be an integer ≥ 0, got ${start}`);
      return;
    }
    default:
      throw new RangeError(`${fn}: unknown schedule kind ${String((schedule as { kind?: unknown }).kind)}`);
  }
}
