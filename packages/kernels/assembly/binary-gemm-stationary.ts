// Weight-stationary binary GEMM for rows of 9 u64 words (3×3 convolutions over up to 64 channels, e.g. every
// 3×3 layer of the CIFAR ResNets and ResNet-18's first stage) and N a multiple of 4. Per panel of 4 columns the 36
// B words are loaded once and stay in registers or stack slots (x86 xors a stack slot directly) while the rows
// stream past them: per 64-bit pair an A load, xor, popcnt and add. gemmRows instead loads every B word per row and
// pays its loop and per-panel work, which with K = 9 words made it issue-bound (~5.7 instructions per pair against
// ~4.3 here); paired on 56²×64 the convolution ran 1.08–1.13× faster. Longer rows in chunks of 9 words (partial
// sums added in C) measured 0.87–1.02× on 28²×128 … 7²×512 and were not kept. Same layouts as binary-gemm.ts.

// Rows per block: the block's rows (ROWS × 72 bytes) stay in L1 across the panels, whatever the batch size.
const ROWS = 256;

/** Whether stationaryRows handles a GEMM with these u64 words per row and columns. */
// @ts-ignore: decorator
@inline export function stationaryApplies(w64: i32, n: i32): bool {
  return w64 == 9 && (n & 3) == 0;
}

/** Rows [m0, m1) of C = K − 2·popcount(A XOR B) when stationaryApplies(9, n). */
export function stationaryRows(a: usize, b: usize, c: usize, m0: i32, m1: i32, n: i32, k: i32): void {
  const outRow = <usize>n << 2;
  for (let r0 = m0; r0 < m1; r0 += ROWS) {
    const rows = min(r0 + ROWS, m1) - r0;
    for (let p = 0; p < n >> 2; p++) {
      const y = b + <usize>p * 288;
      const w00 = load<u64>(y, 0);
      const w01 = load<u64>(y, 8);
      const w02 = load<u64>(y, 16);
      const w03 = load<u64>(y, 24);
      const w10 = load<u64>(y, 32);
      const w11 = load<u64>(y, 40);
      const w12 = load<u64>(y, 48);
      const w13 = load<u64>(y, 56);
      const w20 = load<u64>(y, 64);
      const w21 = load<u64>(y, 72);
      const w22 = load<u64>(y, 80);
      const w23 = load<u64>(y, 88);
      const w30 = load<u64>(y, 96);
      const w31 = load<u64>(y, 104);
      const w32 = load<u64>(y, 112);
      const w33 = load<u64>(y, 120);
      const w40 = load<u64>(y, 128);
      const w41 = load<u64>(y, 136);
      const w42 = load<u64>(y, 144);
      const w43 = load<u64>(y, 152);
      const w50 = load<u64>(y, 160);
      const w51 = load<u64>(y, 168);
      const w52 = load<u64>(y, 176);
      const w53 = load<u64>(y, 184);
      const w60 = load<u64>(y, 192);
      const w61 = load<u64>(y, 200);
      const w62 = load<u64>(y, 208);
      const w63 = load<u64>(y, 216);
      const w70 = load<u64>(y, 224);
      const w71 = load<u64>(y, 232);
      const w72 = load<u64>(y, 240);
      const w73 = load<u64>(y, 248);
      const w80 = load<u64>(y, 256);
      const w81 = load<u64>(y, 264);
      const w82 = load<u64>(y, 272);
      const w83 = load<u64>(y, 280);
      let x = a + <usize>r0 * 72;
      let out = c + <usize>r0 * outRow + (<usize>p << 4);
      for (let m = 0; m < rows; m++) {
        store<i32>(out, k - (dot9(x, w00, w10, w20, w30, w40, w50, w60, w70, w80) << 1));
        store<i32>(out, k - (dot9(x, w01, w11, w21, w31, w41, w51, w61, w71, w81) << 1), 4);
        store<i32>(out, k - (dot9(x, w02, w12, w22, w32, w42, w52, w62, w72, w82) << 1), 8);
        store<i32>(out, k - (dot9(x, w03, w13, w23, w33, w43, w53, w63, w73, w83) << 1), 12);
        x += 72;
        out += outRow;
      }
    }
  }
}

// popcount(the 9 A words at x XOR one column's 9 words)
// @ts-ignore: decorator
@inline function dot9(x: usize, b0: u64, b1: u64, b2: u64, b3: u64, b4: u64, b5: u64, b6: u64, b7: u64, b8: u64): i32 {
  return <i32>(
    popcnt(load<u64>(x, 0) ^ b0) +
      popcnt(load<u64>(x, 8) ^ b1) +
      popcnt(load<u64>(x, 16) ^ b2) +
      popcnt(load<u64>(x, 24) ^ b3) +
      popcnt(load<u64>(x, 32) ^ b4) +
      popcnt(load<u64>(x, 40) ^ b5) +
      popcnt(load<u64>(x, 48) ^ b6) +
      popcnt(load<u64>(x, 56) ^ b7) +
      popcnt(load<u64>(x, 64) ^ b8)
  );
}
