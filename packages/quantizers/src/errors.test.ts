// Bad input: RangeError whose message starts with the function name and names the argument and its value.
// NaN handling: every core function rejects NaN (codes cannot represent it).
import { describe, expect, test } from 'vitest';
import { admmLevels, fitAdmmStep, quantizeAdmmLevels } from './admm-levels.ts';
import { binaryLevels, quantizeBinary } from './binary.ts';
import { dequantize, dequantizeLinear } from './dequantize.ts';
import { doReFaActivationLevels, doReFaWeightLevels, quantizeDoReFaActivations, quantizeDoReFaWeights } from './dorefa.ts';
import { lsqBounds, lsqGradients, lsqGradScale, lsqInitStep, quantizeLsq } from './lsq.ts';
import { steGradient } from './ste.ts';
import { calibrateUniform, quantizeUniform, uniformRange } from './uniform.ts';
import { quantizeXnorWeights } from './xnor.ts';

const x = new Float32Array([0.5, -1, 2, 0]);
const empty = new Float32Array(0);
const nan = new Float32Array([0.5, NaN]);

const bad: [string, () => unknown, RegExp][] = [
  // bit-widths
  ['dorefa bits 0', () => quantizeDoReFaWeights(x, { bits: 0 }), /^quantizeDoReFaWeights: bits must be an integer in \[1, 8\], got 0$/],
  ['dorefa bits 9', () => quantizeDoReFaActivations(x, { bits: 9 }), /^quantizeDoReFaActivations: bits .* got 9$/],
  ['dorefa bits 2.5', () => doReFaWeightLevels(2.5), /^doReFaWeightLevels: bits .* got 2\.5$/],
  ['dorefa act levels', () => doReFaActivationLevels(-1), /^doReFaActivationLevels: bits .* got -1$/],
  ['uniform bits 1', () => quantizeUniform(x, { bits: 1 }), /^quantizeUniform: bits must be an integer in \[2, 8\], got 1$/],
  ['uniform bits 16', () => calibrateUniform(x, { bits: 16 }), /^calibrateUniform: bits .* got 16$/],
  ['uniformRange NaN bits', () => uniformRange(Number.NaN), /^uniformRange: bits .* got NaN$/],
  ['lsq bits 9', () => quantizeLsq(x, 0.1, { bits: 9 }), /^quantizeLsq: bits .* got 9$/],
  ['lsqBounds bits 1', () => lsqBounds(1), /^lsqBounds: bits .* got 1$/],
  ['lsqGradScale n 0', () => lsqGradScale(0, { bits: 2 }), /^lsqGradScale: n must be a positive integer, got 0$/],
  ['admm clusters 0', () => admmLevels(0, 1), /^admmLevels: clusters must be an integer in \[1, 127\], got 0$/],
  // other arguments
  ['signOfZero 2', () => quantizeBinary(x, { signOfZero: 2 as 1 }), /^quantizeBinary: signOfZero must be 1 or 0, got 2$/],
  ['binaryLevels -1', () => binaryLevels(-1 as 1), /^binaryLevels: signOfZero .* got -1$/],
  ['unknown gate', () => steGradient(x, x, 'relu' as 'identity'), /^steGradient: gate .* got relu$/],
  ['unknown variant', () => quantizeDoReFaActivations(x, { bits: 2, variant: 'x' as 'clip' }), /^quantizeDoReFaActivations: variant .* got x$/],
  ['clipValue 0', () => quantizeDoReFaActivations(x, { bits: 2, clipValue: 0 }), /^quantizeDoReFaActivations: clipValue must be finite and > 0, got 0$/],
  ['clipValue with tanh', () => quantizeDoReFaActivations(x, { bits: 2, variant: 'tanh', clipValue: 2 }), /^quantizeDoReFaActivations: clipValue applies to the 'clip' variant only/],
  ['unknown scheme', () => quantizeUniform(x, { bits: 4, scheme: 'log' as 'affine' }), /^quantizeUniform: scheme .* got log$/],
  ['narrow affine', () => quantizeUniform(x, { bits: 4, narrow: true }), /^quantizeUniform: narrow .* got narrow = true/],
  ['unknown calibration', () => quantizeUniform(x, { bits: 4, calibration: 'kl' as 'mse' }), /^quantizeUniform: calibration .* got kl$/],
  ['bad mse grid', () => calibrateUniform(x, { bits: 4, calibration: 'mse', mseSearch: { low: 0 } }), /^calibrateUniform: mseSearch .* got low 0/],
  ['bad mse steps', () => calibrateUniform(x, { bits: 4, calibration: 'mse', mseSearch: { steps: 0 } }), /^calibrateUniform: mseSearch.steps .* got 0$/],
  ['scale 0', () => quantizeUniform(x, { bits: 4, params: { scale: [0] } }), /^quantizeUniform: params.scale must be > 0, got 0 at index 0$/],
  ['zero point out of range', () => quantizeUniform(x, { bits: 4, params: { scale: [1], zeroPoint: [16] } }), /^quantizeUniform: params.zeroPoint .* got 16 at index 0$/],
  ['lsq step 0', () => quantizeLsq(x, 0, { bits: 2 }), /^quantizeLsq: step must be a finite number > 0, got 0$/],
  ['admm step -1', () => quantizeAdmmLevels(x, { clusters: 2, step: -1 }), /^quantizeAdmmLevels: step .* got -1$/],
  // shapes
  ['shape mismatch', () => quantizeXnorWeights(x, { shape: [3, 2], axis: 0 }), /^quantizeXnorWeights: shape \[3, 2\] has 6 elements but x has 4$/],
  ['axis out of range', () => quantizeUniform(x, { bits: 4, shape: [2, 2], axis: 2 }), /^quantizeUniform: axis .* got 2$/],
  ['params per channel', () => quantizeUniform(x, { bits: 4, shape: [2, 2], axis: 0, params: { scale: [1] } }), /^quantizeUniform: params.scale must have 2 elements \(one per group\), got 1$/],
  ['dy length', () => steGradient(x, new Float32Array(3)), /^steGradient: dy must have 4 elements .* got 3$/],
  ['lsq dy length', () => lsqGradients(x, 1, new Float32Array(1), { bits: 2 }), /^lsqGradients: dy must have 4 elements .* got 1$/],
  ['dequantize levels', () => dequantize({ codes: new Uint8Array(4), levels: new Float32Array(3), levelCount: 2, shape: [4], axis: null }), /^dequantize: levels must have 2 elements .* got 3$/],
  ['dequantize code', () => dequantize({ codes: new Uint8Array([0, 5]), levels: new Float32Array(2), levelCount: 2, shape: [2], axis: null }), /^dequantize: codes must be < levelCount \(2\), got 5 at index 1$/],
  ['dequantizeLinear scale', () => dequantizeLinear([1, 2], new Float32Array(2), new Int32Array(1)), /^dequantizeLinear: scale must have 1 elements .* got 2$/],
  // empty input
  ['binary empty', () => quantizeBinary(empty), /^quantizeBinary: x must not be empty, got length 0$/],
  ['xnor empty', () => quantizeXnorWeights(empty), /^quantizeXnorWeights: w must not be empty/],
  ['dorefa empty', () => quantizeDoReFaWeights(empty, { bits: 2 }), /^quantizeDoReFaWeights: x must not be empty/],
  ['uniform empty', () => quantizeUniform(empty, { bits: 4 }), /^quantizeUniform: x must not be empty/],
  ['lsq init empty', () => lsqInitStep(empty, { bits: 2 }), /^lsqInitStep: x must not be empty/],
  ['admm empty', () => fitAdmmStep(empty, 2), /^fitAdmmStep: w must not be empty/],
  ['ste empty', () => steGradient(empty, empty), /^steGradient: x must not be empty/],
];

describe('bad input throws RangeError naming function, argument and value', () => {
  test.each(bad)('%s', (_name, call, message) => {
    expect(call).toThrow(RangeError);
    expect(call).toThrow(message);
  });
});

describe('NaN is rejected with its index; ±Infinity only where the result is defined', () => {
  const nanCalls: [string, () => unknown][] = [
    ['quantizeBinary', () => quantizeBinary(nan)],
    ['quantizeXnorWeights', () => quantizeXnorWeights(nan)],
    ['quantizeDoReFaWeights', () => quantizeDoReFaWeights(nan, { bits: 2 })],
    ['quantizeDoReFaActivations', () => quantizeDoReFaActivations(nan, { bits: 2 })],
    ['quantizeDoReFaActivations', () => quantizeDoReFaActivations(nan, { bits: 2, variant: 'tanh' })],
    ['quantizeUniform', () => quantizeUniform(nan, { bits: 4 })],
    ['quantizeUniform', () => quantizeUniform(nan, { bits: 4, params: { scale: [1] } })],
    ['calibrateUniform', () => calibrateUniform(nan, { bits: 4, calibration: 'mse' })],
    ['quantizeLsq', () => quantizeLsq(nan, 1, { bits: 4 })],
    ['lsqGradients', () => lsqGradients(nan, 1, new Float32Array(2), { bits: 4 })],
    ['lsqInitStep', () => lsqInitStep(nan, { bits: 4 })],
    ['quantizeAdmmLevels', () => quantizeAdmmLevels(nan, { clusters: 2, step: 1 })],
  ];
  test.each(nanCalls)('%s rejects NaN', (name, call) => {
    expect(call).toThrow(RangeError);
    expect(call).toThrow(new RegExp(`^${name}: .*NaN at index 1$`));
  });

  const inf = new Float32Array([Infinity, -Infinity, 0.5]);
  test('±Infinity: sign ±1, DoReFa tanh(±∞) = ±1, uniform with given scale saturates', () => {
    expect(Array.from(quantizeBinary(inf).values)).toEqual([1, -1, 1]);
    expect(Array.from(quantizeDoReFaWeights(inf, { bits: 2 }).codes)).toEqual([3, 0, 2]);
    expect(Array.from(quantizeDoReFaActivations(inf, { bits: 2 }).codes)).toEqual([3, 0, 2]);
    expect(Array.from(quantizeUniform(inf, { bits: 4, scheme: 'symmetric', params: { scale: [0.1] } }).intCodes)).toEqual([7, -8, 5]);
    expect(Array.from(quantizeLsq(inf, 0.1, { bits: 4 }).intCodes)).toEqual([7, -8, 5]);
  });
  test('±Infinity: calibration rejects it', () => {
    expect(() => quantizeXnorWeights(inf)).toThrow(/^quantizeXnorWeights: w must be finite, got Infinity at index 0$/);
    expect(() => calibrateUniform(inf, { bits: 4 })).toThrow(/^calibrateUniform: x must be finite, got Infinity at index 0$/);
    expect(() => lsqInitStep(inf, { bits: 4 })).toThrow(RangeError);
    expect(() => fitAdmmStep(inf, 2)).toThrow(RangeError);
  });
});
