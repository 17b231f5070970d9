// int8 GEMM (the comparison baseline): C[m][n] = Σ_k A[m][k]·B[n][k], int32 accumulation.
//
// Layouts (bytes): A row-major, k8·8 bytes per row (K padded with zeros to a multiple of 8);
// B in panels of 4 columns, panel stride k8·32, 8-byte group g of column j at +g·32 + j·8.
// Kernel: 1 row × 4 columns, i16x8.load8x8_s sign-extends 8 bytes, i32x4.dot_i16x8_s multiplies and adds pairs.

/** int8 GEMM over rows [m0, m1). k8 ≥ 1. */
export function int8Gemm(a: usize, b: usize, c: usize, m0: i32, m1: i32, n: i32, k8: i32): void {
  const rowBytes = <usize>k8 << 3;
  const panelBytes = <usize>k8 << 5;
  const panels = (n + 3) >> 2;
  for (let m = m0; m < m1; m++) {
    const pa = a + <usize>m * rowBytes;
    const end = pa + rowBytes;
    const pc = c + ((<usize>m * <usize>n) << 2);
    for (let p = 0; p < panels; p++) {
      let s0 = i32x4.splat(0);
      let s1 = s0;
      let s2 = s0;
      let s3 = s0;
      let x = pa;
      let y = b + <usize>p * panelBytes;
      do {
        const v = v128.load8x8_s(x);
        s0 = i32x4.add(s0, i32x4.dot_i16x8_s(v, v128.load8x8_s(y)));
        s1 = i32x4.add(s1, i32x4.dot_i16x8_s(v, v128.load8x8_s(y, 8)));
        s2 = i32x4.add(s2, i32x4.dot_i16x8_s(v, v128.load8x8_s(y, 16)));
        s3 = i32x4.add(s3, i32x4.dot_i16x8_s(v, v128.load8x8_s(y, 24)));
        x += 8;
        y += 32;
      } while (x < end);
      const col = p << 2;
      const out = pc + (<usize>col << 2);
      store<i32>(out, hsum(s0));
      if (col + 1 < n) store<i32>(out, hsum(s1), 4);
      if (col + 2 < n) store<i32>(out, hsum(s2), 8);
      if (col + 3 < n) store<i32>(out, hsum(s3), 12);
    }
  }
}

// @ts-ignore: decorator
@inline function hsum(v: v128): i32 {
  return i32x4.extract_lane(v, 0) + i32x4.extract_lane(v, 1) + i32x4.extract_lane(v, 2) + i32x4.extract_lane(v, 3);
}
