import type { PackedBinaryMatrix } from '@quantprune/formats';
import { windowSpans, type ConvGeometry } from '../conv-geometry.ts';
import type { ScaleBiasTransform } from '../output-transform.ts';
import { levelMaps } from '../reference/bit-serial-gemm.ts';
import { timeConvStages, type ConvStageTimes } from './binary-conv2d-plan.ts';
import type { WasmContext } from './context.ts';
import { Allocations, panelAddress, scatterRows, spanDescriptor } from './layout.ts';

/** Where the bit-serial convolution input comes from: NHWC codes (one byte each) or 2 packed bit planes. */
export type BitSerialConvInputKind = 'codes' | 'planes';

/**
 * A bit-serial (A2W1 or A2W2) convolution with resident weights and buffers: write NHWC codes 0..3 into
 * {@link input} (or planes with {@link setInputPlanes}), call {@link run}, read {@link output}.
 * Stages: pack codes into bit planes → im2col on packed words → bit-serial GEMM → output transform.
 *
 * Pixels and GEMM rows hold 64 channels per pair of u64 words (plane 0, then plane 1), every tap padded to a
 * whole pair, so im2col copies whole taps and the GEMM reads its interleaved layout directly. As in the binary
 * convolution, every output row runs over the taps of its window inside the input only (`windowSpans`): a
 * border pixel skips its taps in the zero padding, so its cost is proportional to its valid taps. Channel
 * padding is code 0, the level 0, and adds nothing.
 */
export class BitSerialConv2dPlan {
  readonly geometry: ConvGeometry;
  readonly transform: ScaleBiasTransform | null;
  readonly inputKind: BitSerialConvInputKind;
  /** 1 (A2W1) or 2 (A2W2). */
  readonly weightBits: number;
  /** Output rows (N·OH·OW). */
  readonly rows: number;
  readonly #ctx: WasmContext;
  readonly #mem: Allocations;
  /** u64 word pairs (64 channels, 2 planes) per pixel, and per GEMM row (taps × pixel pairs). */
  readonly #cw64: number;
  readonly #w64: number;
  /** 1×1, stride 1, no padding: packed pixels are the GEMM rows. */
  readonly #direct: boolean;
  readonly #input: number;
  readonly #pixels: number;
  readonly #a: number;
  readonly #w: number;
  readonly #c: number;
  readonly #out: number;
  readonly #colTerm: number;
  /** Span descriptor of the conv GEMM kernels (windowSpans, kw, cw64). */
  readonly #desc: number;
  readonly #params: [number, number];
  readonly #alpha: number;
  readonly #beta: number;

  /** @internal use `WasmKernels.createBitSerialConv2d` */
  constructor(ctx: WasmContext, weights: readonly PackedBinaryMatrix[], g: ConvGeometry, transform: ScaleBiasTransform | null, inputKind: BitSerialConvInputKind) {
    this.#ctx = ctx;
    this.geometry = g;
    this.transform = transform;
    this.inputKind = inputKind;
    this.weightBits = weights.length;
    const mem = (this.#mem = new Allocations(ctx));
    const taps = g.kernelHeight * g.kernelWidth;
    const cw32 = g.channelWords;
    const cw64 = (this.#cw64 = Math.ceil(cw32 / 2));
    const w64 = (this.#w64 = taps * cw64);
    const pixels = g.batch * g.height * g.width;
    const rows = (this.rows = g.batch * g.outHeight * g.outWidth);
    const n = g.outChannels;
    this.#direct = taps === 1 && g.strideHeight === 1 && g.strideWidth === 1 && g.padHeight === 0 && g.padWidth === 0;
    this.#input = inputKind === 'codes' ? mem.zeroed(pixels * g.inChannels) : 0;
    this.#a = mem.zeroed(rows * w64 * 16);
    this.#pixels = this.#direct ? this.#a : mem.zeroed(pixels * cw64 * 16);
    this.#w = mem.zeroed(Math.ceil(n / 4) * w64 * 32 * weights.length);
    // weight word j of a row (tap t = ⌊j/cw32⌋, word i = j mod cw32 of the tap) → u64 word t·cw64 + ⌊i/2⌋, half i mod 2
    const u32 = ctx.u32;
    weights.forEach((plane, q) => {
      const address = panelAddress(this.#w, w64, weights.length, q);
      for (let r = 0; r < n; r++) {
        for (let t = 0; t < taps; t++) {
          for (let i = 0; i < cw32; i++) u32[address(r, t * cw64 + (i >> 1)) + (i & 1)] = plane.words[r * plane.wordsPerRow + t * cw32 + i]!;
        }
      }
    });
    this.#c = mem.zeroed(rows * n * 4);
    // out = ua·uw·D + ua·vw·Σa + colTerm; with 'unsigned' activations (va = 0) the column term is 0
    const { ua, uw, vw } = levelMaps(weights.length, 'unsigned');
    this.#alpha = ua * uw;
    this.#beta = ua * vw;
    this.#colTerm = mem.zeroed(n * 4);
    this.#desc = spanDescriptor(ctx, mem, windowSpans(g), g.kernelWidth, cw64);
    if (transform) {
      this.#out = this.#c; // in place, as in BinaryConv2dPlan
      this.#params = [mem.zeroed(n * 4), mem.zeroed(n * 4)];
      ctx.f32.set(transform.scale, this.#params[0] / 4);
      ctx.f32.set(transform.bias, this.#params[1] / 4);
    } else {
      this.#out = this.#c;
      this.#params = [0, 0];
    }
  }

  /** The NHWC codes, one byte each (inputKind 'codes'; bits above 1 are ignored). */
  get input(): Uint8Array {
    if (this.inputKind !== 'codes') throw new Error("BitSerialConv2dPlan.input: the plan was created with inputKind 'planes'");
    const g = this.geometry;
    return new Uint8Array(this.#ctx.memory.buffer, this.#input, g.batch * g.height * g.width * g.inChannels);
  }

  /** Copies 2 bit planes of packed pixels (N·H·W × C each, any row alignment) into the plan, masking padding bits. */
  setInputPlanes(planes: readonly PackedBinaryMatrix[]): void {
    this.#mem.check('BitSerialConv2dPlan.setInputPlanes');
    const g = this.geometry;
    const pixels = g.batch * g.height * g.width;
    if (planes.length !== 2 || planes.some((p) => p.rows !== pixels || p.cols !== g.inChannels)) {
      throw new RangeError(`BitSerialConv2dPlan.setInputPlanes: expected 2 planes of ${pixels}×${g.inChannels}`);
    }
    const stride = this.#cw64 * 4;
    planes.forEach((p, q) => scatterRows(this.#ctx.u32, p, (r, k) => this.#pixels / 4 + r * stride + k * 4 + q * 2));
  }

  /** The output: int32 NHWC sums in level units, or float32 NHWC with the scale-bias transform. */
  get output(): Int32Array | Float32Array {
    const size = this.rows * this.geometry.outChannels;
    const buffer = this.#ctx.memory.buffer;
    return this.transform ? new Float32Array(buffer, this.#out, size) : new Int32Array(buffer, this.#out, size);
  }

  /** Runs every stage. */
  run(): void {
    this.#mem.check('BitSerialConv2dPlan.run');
    this.#pack();
    this.#im2col();
    this.#gemm();
    this.#finish();
  }

  /**
   * Runs every stage and returns the time of each (performance.now() between stages).
   *
   * @returns milliseconds per stage ('output' is the scale-bias transform; there is no padding correction)
   */
  profile(): ConvStageTimes {
    this.#mem.check('BitSerialConv2dPlan.profile');
    return timeConvStages(() => this.#pack(), () => this.#im2col(), () => this.#gemm(), () => this.#finish());
  }

  /** Frees the plan's memory. */
  dispose(): void {
    this.#mem.dispose();
  }

  #pack(): void {
    if (this.inputKind !== 'codes') return;
    const g = this.geometry;
    this.#ctx.exports.packCodePlanes(this.#input, g.batch * g.height * g.width, g.inChannels, this.#pixels, this.#cw64);
  }

  #im2col(): void {
    if (this.#direct) return;
    const g = this.geometry;
    this.#ctx.exports.im2col(
      this.#pixels, g.batch, g.height, g.width, 4 * this.#cw64,
      g.kernelHeight, g.kernelWidth, g.strideHeight, g.strideWidth, g.padHeight, g.padWidth, g.outHeight, g.outWidth,
      this.#a, 4 * this.#w64, 0,
    );
  }

  #gemm(): void {
    const kernel = this.weightBits === 1 ? 'a2w1ConvGemm' : 'a2w2ConvGemm';
    this.#ctx.runRows(kernel, this.rows, [this.#a, this.#w, this.#c], [this.geometry.outChannels, this.#w64, this.#alpha, this.#beta, this.#colTerm, this.#desc]);
  }

  #finish(): void {
    if (this.transform) this.#ctx.exports.scaleBias(this.#c, this.rows, this.geometry.outChannels, this.#params[0], this.#params[1], this.#out);
  }
}
