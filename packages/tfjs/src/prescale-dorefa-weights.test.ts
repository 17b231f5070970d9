import { describe, expect, it } from 'vitest';
import { applyPrecision, createModel, getParam } from '@quantprune/graph';
import { calibrateDoReFaWeights } from '@quantprune/quantizers';
import { prescaleDoReFaWeights } from './prescale-dorefa-weights.ts';

describe('prescaleDoReFaWeights', () => {
  it('rescales exactly the DoReFa-quantized layers by their calibrated scale', () => {
    const fp32 = createModel('lenet5', { seed: 3 });
    const g = applyPrecision(fp32, 'dorefa'); // conv2 and fc1 quantized; conv1 and fc2 stay float
    const before = new Map(['conv1', 'conv2', 'fc1', 'fc2'].map((n) => [n, getParam(g, `${n}.weight`).data.slice()]));
    const result = prescaleDoReFaWeights(g);
    expect([...result.keys()]).toEqual(['conv2', 'fc1']);
    for (const name of ['conv1', 'fc2']) expect(getParam(g, `${name}.weight`).data).toEqual(before.get(name));
    for (const name of ['conv2', 'fc1']) {
      const c = result.get(name)!;
      expect(c).toEqual(calibrateDoReFaWeights(before.get(name)!, { bits: 2 }));
      expect(c.error).toBeLessThanOrEqual(c.unscaledError);
      expect(getParam(g, `${name}.weight`).data).toEqual(before.get(name)!.map((v) => v * c.scale));
    }
    expect(getParam(fp32, 'conv2.weight').data).toEqual(before.get('conv2')); // the source graph is untouched
  });

  it('leaves a graph without DoReFa weights alone', () => {
    expect(prescaleDoReFaWeights(applyPrecision(createModel('lenet5'), 'bnn')).size).toBe(0);
  });
});
