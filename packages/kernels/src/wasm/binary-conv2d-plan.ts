import type { PackedBinaryMatrix } from '@quantprune/formats';
import { paddedTaps, windowSpans, type ConvGeometry } from '../conv-geometry.ts';
import { tapWeightSums } from '../conv-weights.ts';
import { lastWordMask } from '../internal/bits.ts';
import type { OutputTransform } from '../output-transform.ts';
import type { WasmContext } from './context.ts';
import { Allocations, panelAddress, scatterRows, spanDescriptor } from './layout.ts';

/** The weights' first kh·kw·⌈C/32⌉ words per row with the channel-padding bits of every tap cleared. */
function tapMasked(weights: PackedBinaryMatrix, g: ConvGeometry): PackedBinaryMatrix {
  const cw = g.channelWords;
  const wordsPerRow = g.kernelHeight * g.kernelWidth * cw;
  const mask = lastWordMask(g.inChannels);
  const words = new Uint32Array(weights.rows * wordsPerRow);
  for (let r = 0; r < weights.rows; r++) {
    for (let w = 0; w < wordsPerRow; w++) {
      const v = weights.words[r * weights.wordsPerRow + w]!;
      words[r * wordsPerRow + w] = w % cw === cw - 1 ? v & mask : v;
    }
  }
  return { words, rows: weights.rows, cols: wordsPerRow * 32, wordsPerRow };
}

/** Milliseconds spent in each stage of one {@link BinaryConv2dPlan.profile} run. */
export interface ConvStageTimes {
  /** Sign packing of the float input (0 for packed input). */
  readonly pack: number;
  /** im2col on packed words (0 for 1×1 stride-1 convolutions, which skip it; only the border rows of 3×3 stride-1 pad-1 layers over 33–64 channels). */
  readonly im2col: number;
  /** The binary GEMM. */
  readonly gemm: number;
  /** Zero-padding correction of the border pixels (where the GEMM does not skip the padding) plus the output transform. */
  readonly output: number;
}

/** Runs the four stages of a convolution plan in order and times each (performance.now() between stages). */
export function timeConvStages(pack: () => void, im2col: () => void, gemm: () => void, output: () => void): ConvStageTimes {
  const t0 = performance.now();
  pack();
  const t1 = performance.now();
  im2col();
  const t2 = performance.now();
  gemm();
  const t3 = performance.now();
  output();
  const t4 = performance.now();
  return { pack: t1 - t0, im2col: t2 - t1, gemm: t3 - t2, output: t4 - t3 };
}

/** Where the convolution input comes from. */
export type ConvInputKind = 'float' | 'packed';

/**
 * A binary convolution with resident weights and buffers: write the NHWC input into {@link input} (float) or
 * {@link packedInput} (packed pixels, ⌈C/32⌉ words each), call {@link run}, read {@link output}.
 * Stages: pack signs → im2col on packed words → binary GEMM → output transform. Zero-padded 3×3 stride-1 pad-1
 * layers over 33–64 channels (and a multiple of 4 outputs) compute their inside pixels straight from the packed
 * input, so im2col writes only their border rows.
 *
 * Zero padding is exact either way: when every tap is whole u64 words (⌈C/32⌉ even, e.g. C a multiple of 64 as in
 * ResNets after the stem) the GEMM skips the padded taps of border pixels (`windowSpans`), which also saves their work (9 %
 * of a 3×3 pad-1 layer on 14×14, 18 % on 7×7); otherwise it runs over whole rows (+1 padding) and the output
 * stage first subtracts the padded taps' weight sums from the border pixels.
 */
export class BinaryConv2dPlan {
  readonly geometry: ConvGeometry;
  readonly transform: OutputTransform | null;
  readonly inputKind: ConvInputKind;
  /** Output rows (N·OH·OW). */
  readonly rows: number;
  readonly #ctx: WasmContext;
  readonly #mem: Allocations;
  readonly #w64: number;
  /** 1×1, stride 1, no padding: packed pixels are the GEMM rows. */
  readonly #direct: boolean;
  readonly #pixelWords: number;
  readonly #input: number;
  readonly #pixels: number;
  readonly #a: number;
  readonly #b: number;
  readonly #c: number;
  readonly #out: number;
  readonly #entries: number;
  readonly #entryCount: number;
  readonly #table: number;
  /** Descriptor of `binaryConvGemm` (spans, count, kw, cw64, pixels, width), or 0 for whole rows + correction. */
  readonly #desc: number;
  /** The GEMM reads the inside pixels' taps from the packed input; im2col writes only the border rows. */
  readonly #inputGemm: boolean;
  readonly #params: [number, number];

  /** @internal use `WasmKernels.createBinaryConv2d` */
  constructor(ctx: WasmContext, weights: PackedBinaryMatrix, g: ConvGeometry, transform: OutputTransform | null, inputKind: ConvInputKind) {
    this.#ctx = ctx;
    this.geometry = g;
    this.transform = transform;
    this.inputKind = inputKind;
    const mem = (this.#mem = new Allocations(ctx));
    const taps = g.kernelHeight * g.kernelWidth;
    const rowWords = taps * g.channelWords;
    const w64 = (this.#w64 = Math.ceil(rowWords / 2));
    const pixels = g.batch * g.height * g.width;
    const rows = (this.rows = g.batch * g.outHeight * g.outWidth);
    const n = g.outChannels;
    this.#direct = taps === 1 && g.strideHeight === 1 && g.strideWidth === 1 && g.padHeight === 0 && g.padWidth === 0;
    this.#pixelWords = this.#direct ? 2 * w64 : g.channelWords;
    this.#input = inputKind === 'float' ? mem.zeroed(pixels * g.inChannels * 4) : 0;
    this.#a = mem.zeroed(rows * w64 * 8);
    this.#pixels = this.#direct ? this.#a : mem.zeroed(pixels * this.#pixelWords * 4);
    this.#b = mem.zeroed(Math.ceil(n / 4) * w64 * 32);
    scatterRows(ctx.u32, tapMasked(weights, g), panelAddress(this.#b, w64, 1, 0));
    // the GEMM runs over spans of rows (see binaryConvGemm): over the taps inside the input with zero padding
    // and whole-u64 taps, over every tap (the padding words are +1) with padValue 1 or without padding; zero
    // padding with odd words per tap runs over whole rows and corrects the border pixels afterwards
    const correct = g.padValue === 0 && (g.padHeight > 0 || g.padWidth > 0) && g.channelWords % 2 === 1;
    const spans = correct ? null : g.padValue === 1 ? Int32Array.of(0, rows, -1, taps * g.inChannels) : windowSpans(g);
    this.#c = mem.zeroed(rows * n * 4);
    const entries = correct ? paddedTaps(g) : new Int32Array(0);
    this.#entryCount = entries.length / 2;
    this.#entries = this.#entryCount > 0 ? mem.zeroed(entries.byteLength) : 0;
    this.#table = this.#entryCount > 0 ? mem.zeroed(taps * n * 4) : 0;
    if (this.#entryCount > 0) {
      ctx.i32.set(entries, this.#entries / 4);
      ctx.i32.set(tapWeightSums(weights, g), this.#table / 4);
    }
    if (transform?.kind === 'scale-bias') {
      // in place: the floats overwrite the int32 sums (one rows × n buffer less; no speed difference measured)
      this.#out = this.#c;
      this.#params = [mem.zeroed(n * 4), mem.zeroed(n * 4)];
      ctx.f32.set(transform.scale, this.#params[0] / 4);
      ctx.f32.set(transform.bias, this.#params[1] / 4);
    } else if (transform?.kind === 'threshold') {
      this.#out = mem.zeroed(rows * Math.ceil(n / 32) * 4);
      // padded to a multiple of 32 channels so the SIMD loop may read whole vectors
      const padded = Math.ceil(n / 32) * 32;
      this.#params = [mem.zeroed(padded * 4), mem.zeroed(padded * 4)];
      ctx.i32.set(transform.threshold, this.#params[0] / 4);
      ctx.i32.set(Int32Array.from(transform.flip, (f) => (f ? -1 : 0)), this.#params[1] / 4);
    } else {
      this.#out = this.#c;
      this.#params = [0, 0];
    }
    // inside pixels of 3×3 stride-1 pad-1 layers over 33–64 channels: the GEMM reads the packed input, no im2col
    this.#inputGemm =
      spans !== null && g.padValue === 0 && g.channelWords === 2 && n % 4 === 0 && g.kernelHeight === 3 && g.kernelWidth === 3 &&
      g.strideHeight === 1 && g.strideWidth === 1 && g.padHeight === 1 && g.padWidth === 1;
    this.#desc = spans ? spanDescriptor(ctx, mem, spans, g.kernelWidth, g.channelWords >> 1, this.#inputGemm ? this.#pixels : 0, g.width) : 0;
  }

  /** The NHWC float input (inputKind 'float'). */
  get input(): Float32Array {
    if (this.inputKind !== 'float') throw new Error("BinaryConv2dPlan.input: the plan was created with inputKind 'packed'");
    const g = this.geometry;
    return new Float32Array(this.#ctx.memory.buffer, this.#input, g.batch * g.height * g.width * g.inChannels);
  }

  /** Packed input pixels, N·H·W rows of `packedInputWordsPerRow` words (written by the pack stage for float input). */
  get packedInput(): Uint32Array {
    const g = this.geometry;
    return new Uint32Array(this.#ctx.memory.buffer, this.#pixels, g.batch * g.height * g.width * this.#pixelWords);
  }

  /** 32-bit words per row of {@link packedInput}. */
  get packedInputWordsPerRow(): number {
    return this.#pixelWords;
  }

  /** Copies packed pixels (N·H·W × C, any row alignment) into {@link packedInput}, masking padding bits. */
  setPackedInput(m: PackedBinaryMatrix): void {
    this.#mem.check('BinaryConv2dPlan.setPackedInput');
    const g = this.geometry;
    if (m.rows !== g.batch * g.height * g.width || m.cols !== g.inChannels) {
      throw new RangeError(`BinaryConv2dPlan.setPackedInput: expected ${g.batch * g.height * g.width}×${g.inChannels}, got ${m.rows}×${m.cols}`);
    }
    const base = this.#pixels / 4;
    const wpr = this.#pixelWords;
    scatterRows(this.#ctx.u32, m, (r, k) => base + r * wpr + 2 * k);
  }

  /**
   * The output: int32 NHWC sums (no transform), float32 NHWC (scale-bias) or packed pixels of ⌈outChannels/32⌉
   * words (threshold).
   */
  get output(): Int32Array | Float32Array | Uint32Array {
    const n = this.geometry.outChannels;
    const buffer = this.#ctx.memory.buffer;
    if (this.transform?.kind === 'scale-bias') return new Float32Array(buffer, this.#out, this.rows * n);
    if (this.transform?.kind === 'threshold') return new Uint32Array(buffer, this.#out, this.rows * Math.ceil(n / 32));
    return new Int32Array(buffer, this.#out, this.rows * n);
  }

  /** A copy of the output, packed outputs as a matrix in the kernel layout. */
  readOutput(): Int32Array | Float32Array | PackedBinaryMatrix {
    const out = this.output.slice();
    if (!(out instanceof Uint32Array)) return out;
    const cols = this.geometry.outChannels;
    return { words: out, rows: this.rows, cols, wordsPerRow: Math.ceil(cols / 32) };
  }

  /** Runs every stage. */
  run(): void {
    this.#mem.check('BinaryConv2dPlan.run');
    this.#pack();
    this.#im2col();
    this.#gemm();
    this.#finish();
  }

  /**
   * Runs every stage and returns the time of each (performance.now() between stages).
   *
   * @returns milliseconds per stage
   */
  profile(): ConvStageTimes {
    this.#mem.check('BinaryConv2dPlan.profile');
    return timeConvStages(() => this.#pack(), () => this.#im2col(), () => this.#gemm(), () => this.#finish());
  }

  /** Frees the plan's memory. */
  dispose(): void {
    this.#mem.dispose();
  }

  #pack(): void {
    if (this.inputKind !== 'float') return;
    const g = this.geometry;
    this.#ctx.exports.packSigns(this.#input, g.batch * g.height * g.width, g.inChannels, this.#pixels, this.#pixelWords);
  }

  #im2col(): void {
    if (this.#direct) return;
    const g = this.geometry;
    this.#ctx.exports.im2col(
      this.#pixels, g.batch, g.height, g.width, g.channelWords,
      g.kernelHeight, g.kernelWidth, g.strideHeight, g.strideWidth, g.padHeight, g.padWidth, g.outHeight, g.outWidth,
      this.#a, 2 * this.#w64, this.#inputGemm ? 1 : 0,
    );
  }

  #gemm(): void {
    const g = this.geometry;
    // channel padding bits are 0 in both operands; they agree and only K (the real count) enters the result
    if (this.#desc > 0) {
      this.#ctx.runRows('binaryConvGemm', this.rows, [this.#a, this.#b, this.#c], [g.outChannels, this.#w64, this.#desc]);
    } else {
      const k = g.kernelHeight * g.kernelWidth * g.inChannels;
      this.#ctx.runRows('binaryGemm', this.rows, [this.#a, this.#b, this.#c], [g.outChannels, this.#w64, k]);
    }
  }

  #finish(): void {
    const ex = this.#ctx.exports;
    const n = this.geometry.outChannels;
    if (this.#entryCount > 0) ex.padCorrection(this.#c, n, this.#entries, this.#entryCount, this.#table);
    if (this.transform?.kind === 'scale-bias') ex.scaleBias(this.#c, this.rows, n, this.#params[0], this.#params[1], this.#out);
    else if (this.transform?.kind === 'threshold') ex.thresholdPack(this.#c, this.rows, n, this.#params[0], this.#params[1], this.#out, Math.ceil(n / 32));
  }
}
