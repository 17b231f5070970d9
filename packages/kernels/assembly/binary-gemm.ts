// Binary (±1) GEMM by XOR-popcount: C[m][n] = K − 2·popcount(A_m XOR B_n).
//
// Layouts (all offsets in bytes, words are u64):
// - A is row-major: row m starts at a + m·w64·8 and holds w64 words (bit 1 = −1, padding bits 0).
// - B is stored in panels of 4 output columns: panel p starts at b + p·w64·32 and word k of column 4p + j
//   sits at +k·32 + j·8. Columns past N inside the last panel are zero and never stored.
// - C is row-major int32, N values per row.
//
// The micro-kernel is 1 row × 4 columns with one u64 step per iteration. Measured on x86-64 V8 (Node 20):
// larger register blocks (2×4, 3×3, 4×4) run at the same speed because V8 spills their accumulators, while
// 1×4 keeps its 4 accumulators, the A word and the 4 B words in registers (≈5.5 instructions per popcount);
// the loop is then bound by the single popcnt port of Intel cores and by instruction issue.

/**
 * Binary GEMM over rows [m0, m1) (threads split rows). w64 ≥ 1.
 * k is the real reduction length: padding bits agree (both 0) and add no disagreements.
 */
export function binaryGemm(a: usize, b: usize, c: usize, m0: i32, m1: i32, n: i32, w64: i32, k: i32): void {
  const rowBytes = <usize>w64 << 3;
  const panelBytes = <usize>w64 << 5;
  const panels = (n + 3) >> 2;
  for (let m = m0; m < m1; m++) {
    const pa = a + <usize>m * rowBytes;
    const end = pa + rowBytes;
    const pc = c + ((<usize>m * <usize>n) << 2);
    for (let p = 0; p < panels; p++) {
      let s0: i64 = 0;
      let s1: i64 = 0;
      let s2: i64 = 0;
      let s3: i64 = 0;
      let x = pa;
      let y = b + <usize>p * panelBytes;
      do {
        // B operand first: V8 then xors into the freshly loaded register instead of copying the A word.
        const v = load<u64>(x);
        s0 += popcnt(load<u64>(y) ^ v);
        s1 += popcnt(load<u64>(y, 8) ^ v);
        s2 += popcnt(load<u64>(y, 16) ^ v);
        s3 += popcnt(load<u64>(y, 24) ^ v);
        x += 8;
        y += 32;
      } while (x < end);
      const col = p << 2;
      const out = pc + (<usize>col << 2);
      if (col + 4 <= n) {
        store<i32>(out, k - (<i32>s0 << 1));
        store<i32>(out, k - (<i32>s1 << 1), 4);
        store<i32>(out, k - (<i32>s2 << 1), 8);
        store<i32>(out, k - (<i32>s3 << 1), 12);
      } else {
        store<i32>(out, k - (<i32>s0 << 1));
        if (col + 1 < n) store<i32>(out, k - (<i32>s1 << 1), 4);
        if (col + 2 < n) store<i32>(out, k - (<i32>s2 << 1), 8);
      }
    }
  }
}
