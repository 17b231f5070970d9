// Test helper (excluded from the build): loads datasets/vectors/quantizers/<case>.json and compares arrays.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';

/** One tensor of a vector file. */
export interface VectorTensor {
  readonly name: string;
  readonly data: (number | string)[];
  readonly dims: number[];
  readonly dtype: 'float32' | 'int32' | 'uint8';
}

/** One case: attributes, inputs and expected outputs. */
export interface VectorCase {
  readonly name: string;
  readonly attributes?: Record<string, unknown>;
  readonly inputs: VectorTensor[];
  readonly outputs: VectorTensor[];
}

/** A whole vector file. */
export interface VectorFile {
  readonly name: string;
  readonly tolerance: { float32: number };
  readonly cases: VectorCase[];
}

const dir = fileURLToPath(new URL('../../../datasets/vectors/quantizers/', import.meta.url));

/** Reads `<name>.json`. */
export function loadVectors(name: string): VectorFile {
  return JSON.parse(readFileSync(`${dir}${name}.json`, 'utf8')) as VectorFile;
}

function find(list: VectorTensor[], name: string): VectorTensor {
  const t = list.find((x) => x.name === name);
  if (!t) throw new Error(`vector tensor ${name} missing`);
  return t;
}

/** The named input or output as a Float32Array (strings 'NaN' / '±Infinity' are decoded). */
export function f32(list: VectorTensor[], name: string): Float32Array {
  return Float32Array.from(find(list, name).data, (v) => Number(v));
}

/** The named tensor's dims. */
export function dims(list: VectorTensor[], name: string): number[] {
  return find(list, name).dims;
}

/** The named integer tensor as plain numbers. */
export function ints(list: VectorTensor[], name: string): number[] {
  return find(list, name).data.map(Number);
}

/** Asserts |actual − expected| ≤ tol · max(1, |expected|) element-wise (tol = 0 means bit-exact). */
export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number, label = ''): void {
  expect(actual.length, `${label} length`).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    if (Number.isNaN(e)) {
      expect(a, `${label}[${i}]`).toBeNaN();
      continue;
    }
    const ok = tol === 0 ? a === e || (a === 0 && e === 0) : Math.abs(a - e) <= tol * Math.max(1, Math.abs(e));
    if (!ok) expect.fail(`${label}[${i}]: got ${a}, expected ${e} (tolerance ${tol})`);
  }
}
