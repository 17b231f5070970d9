import { checkLength, checkNonEmpty } from './internal/validate.ts';

/**
 * Straight-through gradient gate for a rounding or sign function.
 * `'identity'`: the gradient passes unchanged (BNN weights in Paper A's code).
 * `'hardtanh'`: it passes where |x| ≤ 1 and is 0 elsewhere, the derivative of hardtanh
 * (BNN activations in Paper A's code, Courbariaux et al. 2016).
 */
export type SteGate = 'identity' | 'hardtanh';

/**
 * Backward pass of a straight-through estimator: returns `dy` gated by the input `x`.
 * With `'hardtanh'` the gate is `|x| ≤ 1` (inclusive, like `torch.nn.functional.hardtanh`'s
 * backward); NaN inputs fail the comparison and get gradient 0.
 *
 * @param x - the forward input
 * @param dy - the gradient of the loss with respect to the quantizer's output
 * @param gate - `'identity'` or `'hardtanh'` @default 'hardtanh'
 * @returns the gradient with respect to `x`
 * @throws RangeError when the arrays are empty or differ in length, or `gate` is unknown
 * @example
 * ```ts
 * steGradient(new Float32Array([-2, 0.5, 1]), new Float32Array([1, 1, 1])); // [0, 1, 1]
 * ```
 */
export function steGradient(x: Float32Array, dy: Float32Array, gate: SteGate = 'hardtanh'): Float32Array {
  const fn = 'steGradient';
  checkNonEmpty(fn, 'x', x);
  checkLength(fn, 'dy', dy, x.length, 'one per element of x');
  if (gate === 'identity') return dy.slice();
  if (gate !== 'hardtanh') throw new RangeError(`${fn}: gate must be 'identity' or 'hardtanh', got ${String(gate)}`);
  const out = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    out[i] = v >= -1 && v <= 1 ? dy[i]! : 0;
  }
  return out;
}
