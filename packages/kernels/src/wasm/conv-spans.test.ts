// The convolution GEMM kernels that take a span descriptor (assembly/conv-spans.ts: binaryConvGemm, a2w1ConvGemm,
// a2w2ConvGemm) on im2col rows whose taps in the padding hold garbage (all bits set) instead of the zeros im2col
// writes: a border row that reads any tap outside its window, or misses or shifts one inside, changes the result.
import { afterAll, describe, expect, it } from 'vitest';
import { resolveConvGeometry, windowSpans, type Conv2dOptions, type ConvGeometry } from '../conv-geometry.ts';
import { levelMaps } from '../reference/bit-serial-gemm.ts';
import { rng } from '../test-random.ts';
import { WasmContext, type KernelExports } from './context.ts';
import { WasmHeap } from './heap.ts';
import { Allocations, panelAddress, spanDescriptor } from './layout.ts';
import { compileWasm, defaultWasmUrl } from './load.ts';
import { wasmApi } from './wasm-api.ts';

const wa = wasmApi();
const memory = new wa.Memory({ initial: 1 });
const instance = await wa.instantiate(await compileWasm(defaultWasmUrl(false)), { env: { memory } });
const ctx = new WasmContext(instance.exports as unknown as KernelExports, memory, new WasmHeap(memory, 1024), null);

// 100 channels: 4 u32 words (2 u64 words) per tap in both layouts, with 28 channel-padding bits in the last word
const C = 100;
const N = 6; // one full panel of 4 output columns and a partial one
const geometries: { name: string; options: Conv2dOptions }[] = [
  { name: '3×3 pad 1 stride 1 (corners, edges, interior)', options: { inputShape: [2, 4, 5, C], outChannels: N, kernelSize: 3, padding: 1 } },
  { name: '3×3 pad 2 stride 2 (windows of one kernel row or column)', options: { inputShape: [1, 5, 4, C], outChannels: N, kernelSize: 3, strides: 2, padding: 2 } },
  { name: '1×1 pad 1 (empty windows)', options: { inputShape: [2, 2, 2, C], outChannels: N, kernelSize: 1, padding: 1 } },
  { name: '3×1 pad [1, 0] strides [2, 1]', options: { inputShape: [1, 6, 3, C], outChannels: N, kernelSize: [3, 1], strides: [2, 1], padding: [1, 0] } },
  { name: '1×3 pad [0, 2]', options: { inputShape: [1, 2, 3, C], outChannels: N, kernelSize: [1, 3], padding: [0, 2] } },
];

/** Whether tap t of output row `row` lies inside the input (plain geometry, independent of windowSpans). */
function insideTaps(g: ConvGeometry): boolean[][] {
  const out: boolean[][] = [];
  for (let b = 0; b < g.batch; b++) {
    for (let oy = 0; oy < g.outHeight; oy++) {
      for (let ox = 0; ox < g.outWidth; ox++) {
        const taps: boolean[] = [];
        for (let ky = 0; ky < g.kernelHeight; ky++) {
          for (let kx = 0; kx < g.kernelWidth; kx++) {
            const [iy, ix] = [oy * g.strideHeight - g.padHeight + ky, ox * g.strideWidth - g.padWidth + kx];
            taps.push(iy >= 0 && iy < g.height && ix >= 0 && ix < g.width);
          }
        }
        out.push(taps);
      }
    }
  }
  return out;
}

const bitsOf = (count: number, r: () => number): Uint8Array => Uint8Array.from({ length: count }, () => (r() < 0.5 ? 1 : 0));

/**
 * Writes bit [row][tap][channel] of `planes` (bit planes of rows × taps × C) to the u32 word `index(row, k) +
 * half` (u64 word k = tap·2 + ⌊channel/64⌋), and fills the taps marked as padding with all bits set.
 */
function scatterTaps(planes: readonly Uint8Array[], rows: number, taps: number, index: (row: number, k: number, plane: number) => number, padding?: boolean[][]): void {
  const u32 = ctx.u32;
  planes.forEach((bits, q) => {
    for (let row = 0; row < rows; row++) {
      for (let t = 0; t < taps; t++) {
        const at = (k: number): number => index(row, t * 2 + k, q);
        if (padding && !padding[row]![t]) {
          for (let k = 0; k < 2; k++) u32[at(k)] = u32[at(k) + 1] = 0xffffffff;
          continue;
        }
        for (let k = 0; k < 2; k++) u32[at(k)] = u32[at(k) + 1] = 0;
        for (let ch = 0; ch < C; ch++) {
          if (bits[(row * taps + t) * C + ch]) u32[at(ch >> 6) + ((ch >> 5) & 1)]! |= 1 << (ch & 31);
        }
      }
    }
  });
}

/** Per row and column, Σ over the inside taps and channels of `term(activation index, weight index)`. */
function oracle(inside: boolean[][], taps: number, term: (i: number, j: number) => number): number[] {
  const out: number[] = [];
  inside.forEach((tapsInside, row) => {
    for (let n = 0; n < N; n++) {
      let s = 0;
      for (let t = 0; t < taps; t++) if (tapsInside[t]) for (let ch = 0; ch < C; ch++) s += term((row * taps + t) * C + ch, (n * taps + t) * C + ch);
      out.push(s);
    }
  });
  return out;
}

const mem = new Allocations(ctx);
afterAll(() => mem.dispose());

describe.each(geometries)('conv GEMM kernels skip the padded taps of border rows: $name', ({ options }) => {
  const g = resolveConvGeometry(options);
  const taps = g.kernelHeight * g.kernelWidth;
  const rows = g.batch * g.outHeight * g.outWidth;
  const w64 = taps * 2;
  const inside = insideTaps(g);
  const r = rng(rows * 31 + taps);
  const desc = spanDescriptor(ctx, mem, windowSpans(g), g.kernelWidth, 2);
  const c = mem.zeroed(rows * N * 4);
  // each row range once whole and once cut in two at a random row (spans clipped to [m0, m1))
  const cut = Math.floor(r() * rows);
  const ranges = [[0, rows], [0, cut], [cut, rows]] as const;
  const result = (): number[] => [...ctx.i32.subarray(c / 4, c / 4 + rows * N)];

  it('binaryConvGemm', () => {
    expect(inside.some((t) => t.includes(false))).toBe(true); // the geometry has border rows
    const aBits = bitsOf(rows * taps * C, r);
    const wBits = bitsOf(N * taps * C, r);
    const a = mem.zeroed(rows * w64 * 8);
    const b = mem.zeroed(Math.ceil(N / 4) * w64 * 32);
    scatterTaps([aBits], rows, taps, (row, k) => a / 4 + row * w64 * 2 + k * 2, inside);
    const address = panelAddress(b, w64, 1, 0);
    scatterTaps([wBits], N, taps, (n, k) => address(n, k));
    const sign = (bit: number): number => 1 - 2 * bit;
    const expected = oracle(inside, taps, (i, j) => sign(aBits[i]!) * sign(wBits[j]!));
    for (const [m0, m1] of ranges) {
      ctx.zero(c, rows * N * 4);
      ctx.exports.binaryConvGemm(a, b, c, m0, m1, N, w64, desc);
      expect(result().slice(m0 * N, m1 * N)).toEqual(expected.slice(m0 * N, m1 * N));
    }
  });

  it.each([1, 2] as const)('a2w%iConvGemm', (bits) => {
    const aBits = [bitsOf(rows * taps * C, r), bitsOf(rows * taps * C, r)];
    const wBits = Array.from({ length: bits }, () => bitsOf(N * taps * C, r));
    const a = mem.zeroed(rows * w64 * 16);
    const w = mem.zeroed(Math.ceil(N / 4) * w64 * 32 * bits);
    const colTerm = mem.zeroed(N * 4);
    const columns = Array.from({ length: N }, () => Math.floor(r() * 1000) - 500);
    ctx.i32.set(columns, colTerm / 4);
    scatterTaps(aBits, rows, taps, (row, k, q) => a / 4 + row * w64 * 4 + k * 4 + q * 2, inside);
    const addresses = wBits.map((_, q) => panelAddress(w, w64, bits, q));
    scatterTaps(wBits, N, taps, (n, k, q) => addresses[q]!(n, k));
    // integer level units: activation code a, weight 2w − 3 (W2) or 1 − 2b (W1)
    const code = (planes: readonly Uint8Array[], i: number): number => planes.reduce((s, p, q) => s + (p[i]! << q), 0);
    const weightLevel = (j: number): number => (bits === 2 ? 2 * code(wBits, j) - 3 : 1 - 2 * wBits[0]![j]!);
    const sums = oracle(inside, taps, (i, j) => code(aBits, i) * weightLevel(j));
    const expected = sums.map((s, i) => s + columns[i % N]!);
    const { ua, uw, vw } = levelMaps(bits, 'unsigned');
    const kernel = bits === 1 ? ctx.exports.a2w1ConvGemm : ctx.exports.a2w2ConvGemm;
    for (const [m0, m1] of ranges) {
      ctx.zero(c, rows * N * 4);
      kernel(a, w, c, m0, m1, N, w64, ua * uw, ua * vw, colTerm, desc);
      expect(result().slice(m0 * N, m1 * N)).toEqual(expected.slice(m0 * N, m1 * N));
    }
  });
});
