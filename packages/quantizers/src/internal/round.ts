/**
 * Round half to even (banker's rounding), the rounding of ONNX QuantizeLinear, `torch.round`,
 * `numpy.rint` and `tf.round`. `Math.round` rounds halves towards +∞ and is not used anywhere.
 */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  // Math.round(2.5) = 3 and Math.round(-3.5) = -3: at an exact tie step back to the even neighbour.
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}
