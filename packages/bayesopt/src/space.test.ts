import { describe, expect, it } from 'vitest';
import { EncodedSpace, validateSpace, type SearchSpace } from './space.ts';

const space: SearchSpace = {
  lr: { type: 'continuous', lower: 1e-4, upper: 1e-1, log: true },
  ratio: { type: 'continuous', lower: 0, upper: 40 },
  layers: { type: 'integer', lower: 1, upper: 4 },
  act: { type: 'categorical', choices: ['relu', 'gelu', 'tanh'] },
};

describe('validateSpace', () => {
  it('rejects invalid dimensions with the argument and value in the message', () => {
    expect(() => validateSpace({ x: { type: 'continuous', lower: 1, upper: 1 } }, 'f')).toThrow(
      /^f: space\.x\.lower must be < upper, got lower=1, upper=1$/,
    );
    expect(() => validateSpace({ c: { type: 'categorical', choices: [] } }, 'f')).toThrow(/^f: space\.c\.choices must be a non-empty array, got \[\]$/);
    expect(() => validateSpace({ c: { type: 'categorical', choices: ['a', 'a'] } }, 'f')).toThrow(RangeError);
    expect(() => validateSpace({ n: { type: 'integer', lower: 0.5, upper: 3 } }, 'f')).toThrow(/^f: space\.n bounds must be integers/);
    expect(() => validateSpace({ x: { type: 'continuous', lower: 0, upper: 1, log: true } }, 'f')).toThrow(/^f: space\.x\.lower must be > 0 on a log scale, got 0$/);
    expect(() => validateSpace({ x: { type: 'continuous', lower: Number.NaN, upper: 1 } }, 'f')).toThrow(/^f: space\.x\.lower must be a finite number, got NaN$/);
    expect(() => validateSpace({}, 'f')).toThrow(/^f: space must have at least one dimension/);
  });
});

describe('EncodedSpace', () => {
  const enc = new EncodedSpace(space);

  it('counts features with one-hot categoricals', () => {
    expect(enc.size).toBe(4);
    expect(enc.featureSize).toBe(6);
    expect(enc.continuousFeatures).toEqual([0, 1]);
  });

  it('maps the unit cube onto the space (log scale, integer strata, categories)', () => {
    const p = enc.fromUnit([0.5, 0.25, 0.99, 0.4]);
    // log scale: geometric midpoint √(1e-4·1e-1) = 10^-2.5; tolerance 1e-12 relative (float64 exp/log)
    expect(p['lr'] as number).toBeCloseTo(10 ** -2.5, 12);
    expect(p['ratio']).toBe(10);
    expect(p['layers']).toBe(4);
    expect(p['act']).toBe('gelu');
    expect(enc.fromUnit([0, 0, 0, 0])).toEqual({ lr: 1e-4, ratio: 0, layers: 1, act: 'relu' });
  });

  it('round-trips points through features', () => {
    const p = { lr: 0.003, ratio: 12.5, layers: 3, act: 'tanh' };
    const f = new Float64Array(enc.featureSize);
    enc.toFeatures(p, f);
    expect(Array.from(f.subarray(3))).toEqual([0, 0, 1]);
    const q = enc.fromFeatures(f);
    expect(q['lr'] as number).toBeCloseTo(0.003, 12);
    expect(q['ratio'] as number).toBeCloseTo(12.5, 12);
    expect(q['layers']).toBe(3);
    expect(q['act']).toBe('tanh');
  });

  it('checks points', () => {
    expect(() => enc.checkPoint({ lr: 0.01, ratio: 50, layers: 1, act: 'relu' }, 'g')).toThrow(/^g: ratio must be a number in \[0, 40\], got 50$/);
    expect(() => enc.checkPoint({ lr: 0.01, ratio: 5, layers: 1.5, act: 'relu' }, 'g')).toThrow(/^g: layers must be an integer/);
    expect(() => enc.checkPoint({ lr: 0.01, ratio: 5, layers: 1, act: 'elu' }, 'g')).toThrow(/^g: act must be one of/);
    expect(enc.checkPoint({ act: 'relu', layers: 2, ratio: 0, lr: 0.1, extra: 1 }, 'g')).toEqual({ lr: 0.1, ratio: 0, layers: 2, act: 'relu' });
  });
});
