// Output transforms applied to int32 GEMM / convolution results C (row-major rows × n).

/** out[r][j] = f32(C[r][j])·scale[j] + bias[j]. */
export function scaleBias(c: usize, rows: i32, n: i32, scale: usize, bias: usize, out: usize): void {
  const n4 = n & ~3;
  for (let r = 0; r < rows; r++) {
    const pc = c + ((<usize>r * <usize>n) << 2);
    const po = out + ((<usize>r * <usize>n) << 2);
    let j = 0;
    for (; j < n4; j += 4) {
      const o = <usize>j << 2;
      const v = f32x4.convert_i32x4_s(v128.load(pc + o));
      v128.store(po + o, f32x4.add(f32x4.mul(v, v128.load(scale + o)), v128.load(bias + o)));
    }
    for (; j < n; j++) {
      const o = <usize>j << 2;
      store<f32>(po + o, <f32>load<i32>(pc + o) * load<f32>(scale + o) + load<f32>(bias + o));
    }
  }
}

/**
 * Binarizes C per channel into packed bits: bit j of row r = (C[r][j] < threshold[j]) XOR (flip[j] ≠ 0),
 * bit 1 meaning −1. flip holds 0 or −1 per channel. Rows get outWpr u32 words (the kernel layout).
 */
export function thresholdPack(c: usize, rows: i32, n: i32, threshold: usize, flip: usize, out: usize, outWpr: i32): void {
  const full = n >> 5;
  const rest = n & 31;
  for (let r = 0; r < rows; r++) {
    const pc = c + ((<usize>r * <usize>n) << 2);
    const po = out + ((<usize>r * <usize>outWpr) << 2);
    for (let w = 0; w < full; w++) {
      const o = <usize>w << 7;
      let bits: u32 = 0;
      for (let q = 0; q < 8; q++) {
        const oq = o + (<usize>q << 4);
        const lt = i32x4.lt_s(v128.load(pc + oq), v128.load(threshold + oq));
        bits |= <u32>i32x4.bitmask(v128.xor(lt, v128.load(flip + oq))) << (q << 2);
      }
      store<u32>(po + (<usize>w << 2), bits);
    }
    let w = full;
    if (rest) {
      let bits: u32 = 0;
      const o0 = <usize>full << 7;
      for (let j = 0; j < rest; j++) {
        const o = o0 + (<usize>j << 2);
        const lt: i32 = load<i32>(pc + o) < load<i32>(threshold + o) ? -1 : 0;
        if ((lt ^ load<i32>(flip + o)) != 0) bits |= 1 << j;
      }
      store<u32>(po + (<usize>w << 2), bits);
      w++;
    }
    for (; w < outWpr; w++) store<u32>(po + (<usize>w << 2), 0);
  }
}

/**
 * Zero-padding correction: entries holds count pairs (row, tapMask). For every set bit t of tapMask,
 * C[row][j] −= table[t][j] (table: taps × n int32, the weight sum of tap t per output channel).
 */
export function padCorrection(c: usize, n: i32, entries: usize, count: i32, table: usize): void {
  const n4 = n & ~3;
  const tapBytes = <usize>n << 2;
  for (let e = 0; e < count; e++) {
    const pe = entries + (<usize>e << 3);
    const pc = c + <usize>load<i32>(pe) * tapBytes;
    let mask = load<u32>(pe, 4);
    while (mask) {
      const t = ctz(mask);
      mask &= mask - 1;
      const pt = table + <usize>t * tapBytes;
      let j = 0;
      for (; j < n4; j += 4) {
        const o = <usize>j << 2;
        v128.store(pc + o, i32x4.sub(v128.load(pc + o), v128.load(pt + o)));
      }
      for (; j < n; j++) {
        const o = <usize>j << 2;
        store<i32>(pc + o, load<i32>(pc + o) - load<i32>(pt + o));
      }
    }
  }
}
