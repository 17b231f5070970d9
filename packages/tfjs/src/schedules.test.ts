import { describe, expect, it } from 'vitest';
import { checkSchedule, learningRateAt, PAPER_A_REGIMES, type Schedule } from './schedules.ts';

const at = (s: Schedule, step: number, epoch = 0): number => learningRateAt(s, { step, epoch });

describe('learningRateAt', () => {
  it('constant', () => {
    expect(at({ kind: 'constant', lr: 0.05 }, 123, 4)).toBe(0.05);
  });

  it('step decay by epoch and by step (torch MultiStepLR)', () => {
    const s: Schedule = { kind: 'step', lr: 0.1, milestones: [2, 4], gamma: 0.1 };
    expect([0, 1, 2, 3, 4, 9].map((e) => at(s, 0, e))).toEqual([0.1, 0.1, 0.1 * 0.1, 0.1 * 0.1, 0.1 * 0.1 ** 2, 0.1 * 0.1 ** 2]);
    const byStep: Schedule = { kind: 'step', lr: 1, milestones: [10], gamma: 0.5, unit: 'step' };
    expect([at(byStep, 9, 7), at(byStep, 10, 0)]).toEqual([1, 0.5]);
  });

  it('cosine with linear warm-up', () => {
    const s: Schedule = { kind: 'cosine', lr: 1, totalSteps: 110, warmupSteps: 10, minLr: 0.1 };
    expect(at(s, 0)).toBeCloseTo(0.1, 12);
    expect(at(s, 9)).toBeCloseTo(1, 12);
    expect(at(s, 10)).toBeCloseTo(1, 12);
    expect(at(s, 60)).toBeCloseTo(0.55, 12); // half way: minLr + (lr − minLr)/2
    expect(at(s, 110)).toBeCloseTo(0.1, 12);
    expect(at(s, 500)).toBeCloseTo(0.1, 12);
    // monotone after warm-up
    const values = Array.from({ length: 100 }, (_, i) => at(s, 10 + i));
    expect(values.every((v, i) => i === 0 || v <= values[i - 1]!)).toBe(true);
  });

  it("Paper A's epoch ladders (papers.md §A.4)", () => {
    const cifar: Schedule = { kind: 'ladder', regime: PAPER_A_REGIMES['cifar-resnet']! };
    expect([0, 100, 101, 150, 219, 220, 999].map((e) => at(cifar, 0, e))).toEqual([5e-3, 5e-3, 1e-3, 5e-4, 1e-4, 1e-5, 1e-5]);
    // the pretrained ImageNet run starts at epoch 40 of its regime (lr 5e-4)
    const imagenet: Schedule = { kind: 'ladder', regime: PAPER_A_REGIMES['imagenet-resnet18']!, startEpoch: 40 };
    expect([at(imagenet, 0, 0), at(imagenet, 0, 20), at(imagenet, 0, 35)]).toEqual([5e-4, 5e-5, 5e-7]);
    const retrain: Schedule = { kind: 'ladder', regime: PAPER_A_REGIMES['cifar-resnet-retrain']! };
    expect([0, 1, 2, 3, 4, 5].map((e) => at(retrain, 0, e))).toEqual([5e-3, 1e-3, 5e-4, 1e-4, 1e-5, 1e-5]);
  });

  it('a ladder survives a JSON round trip (checkpoints store schedules as JSON)', () => {
    const s: Schedule = { kind: 'ladder', regime: PAPER_A_REGIMES['cifar-vgg11']! };
    const back = JSON.parse(JSON.stringify(s)) as Schedule;
    for (const e of [0, 39, 40, 80, 139, 140]) expect(at(back, 0, e)).toBe(at(s, 0, e));
  });
});

describe('checkSchedule', () => {
  it.each([
    [{ kind: 'constant', lr: -1 }, /lr must be/],
    [{ kind: 'constant', lr: Number.NaN }, /lr must be/],
    [{ kind: 'step', lr: 0.1, milestones: [3, 2], gamma: 0.1 }, /milestones/],
    [{ kind: 'step', lr: 0.1, milestones: [1.5], gamma: 0.1 }, /milestones/],
    [{ kind: 'cosine', lr: 0.1, totalSteps: 0 }, /totalSteps/],
    [{ kind: 'cosine', lr: 0.1, totalSteps: 5, warmupSteps: 6 }, /warmupSteps/],
    [{ kind: 'ladder', regime: {} }, /at least one/],
    [{ kind: 'ladder', regime: { a: 0.1 } }, /keys must be epochs/],
    [{ kind: 'nope' }, /unknown schedule kind/],
  ])('rejects %j', (s, message) => {
    expect(() => checkSchedule(s as Schedule)).toThrow(message);
  });

  it('rejects a ladder that starts after the current epoch and a bad position', () => {
    expect(() => at({ kind: 'ladder', regime: { 5: 0.1 } }, 0, 2)).toThrow(/no entry at or before epoch 2/);
    expect(() => at({ kind: 'constant', lr: 0.1 }, -1)).toThrow(/position.step/);
  });
});
