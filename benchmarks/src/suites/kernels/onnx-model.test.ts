import { describe, expect, it } from 'vitest';
import { ortSession } from './measure.ts';
import { convModel, matMulModel } from './onnx-model.ts';

// The fp32 baselines of the kernels suites: the hand-written ONNX models must load in onnxruntime-node and
// compute what a plain loop computes (small integer-valued data, so fp32 sums are exact).
describe('onnx-model baselines', () => {
  it('MatMul: Y = A·B', async () => {
    const [m, k, n] = [3, 5, 4];
    const a = Float32Array.from({ length: m * k }, (_, i) => (i % 7) - 3);
    const b = Float32Array.from({ length: k * n }, (_, i) => (i % 5) - 2);
    const ort = await ortSession(matMulModel(m, k, n, b));
    const y = (await ort.run({ A: ort.tensor(a, [m, k]) }))['Y']!.data as Float32Array;
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let t = 0; t < k; t++) s += a[i * k + t]! * b[t * n + j]!;
        expect(y[i * n + j]).toBe(s);
      }
    }
  });

  it('Conv: NCHW 3×3, zero padding 1, bias', async () => {
    const [c, h, w, o] = [2, 4, 3, 3];
    const x = Float32Array.from({ length: c * h * w }, (_, i) => (i % 3) - 1);
    const wt = Float32Array.from({ length: o * c * 9 }, (_, i) => (i % 4) - 2);
    const bias = Float32Array.of(1, -2, 3);
    const ort = await ortSession(convModel(c, h, w, o, 3, 1, wt, bias));
    const y = (await ort.run({ X: ort.tensor(x, [1, c, h, w]) }))['Y']!.data as Float32Array;
    for (let oc = 0; oc < o; oc++) {
      for (let oy = 0; oy < h; oy++) {
        for (let ox = 0; ox < w; ox++) {
          let s = bias[oc]!;
          for (let ci = 0; ci < c; ci++) {
            for (let ky = 0; ky < 3; ky++) {
              for (let kx = 0; kx < 3; kx++) {
                const [iy, ix] = [oy + ky - 1, ox + kx - 1];
                if (iy >= 0 && iy < h && ix >= 0 && ix < w) s += x[(ci * h + iy) * w + ix]! * wt[((oc * c + ci) * 3 + ky) * 3 + kx]!;
              }
            }
          }
          expect(y[(oc * h + oy) * w + ox]).toBe(s);
        }
      }
    }
  });
});
