// The training kernels module runs inside the TF.js wasm heap: it must import that memory and nothing else, and
// must not carry data segments (they would be copied over the backend's own data at instantiation).
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { OWN_MEMORY_WASM, SHARED_MEMORY_WASM } from './generated/training-kernels-wasm.ts';
import { useBackend } from './test-backends.ts';
import { decodeBase64, wasmApi, wasmTrainingModule } from './wasm-training-module.ts';

/** The reflection statics of `WebAssembly.Module` (not in the local WasmApi type). */
const reflect = wasmApi().Module as unknown as {
  imports(m: object): { module: string; name: string; kind: string }[];
  exports(m: object): { name: string; kind: string }[];
};

/** The ids of the top-level sections of a wasm binary (https://webassembly.github.io/spec/core/binary/modules.html). */
function sectionIds(bytes: Uint8Array): number[] {
  const ids: number[] = [];
  let p = 8; // magic and version
  while (p < bytes.length) {
    ids.push(bytes[p++]!);
    let size = 0;
    for (let shift = 0; ; shift += 7) {
      const byte = bytes[p++]!;
      size += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) break;
    }
    p += size;
  }
  expect(p).toBe(bytes.length);
  return ids;
}

describe.each([
  ['own memory', OWN_MEMORY_WASM, false],
  ['shared memory', SHARED_MEMORY_WASM, true],
] as const)('the embedded module for %s', (_name, base64, shared) => {
  const bytes = decodeBase64(base64);
  const module = new (wasmApi().Module)(bytes);

  it('imports only env.memory', () => {
    expect(reflect.imports(module)).toEqual([{ module: 'env', name: 'memory', kind: 'memory' }]);
    expect(reflect.exports(module).map((e) => e.name)).toContain('conv2dBackpropFilter');
  });

  it('has no data segments and no start function', () => {
    const ids = sectionIds(bytes);
    expect(ids).not.toContain(11); // data
    expect(ids).not.toContain(8); // start
  });

  it(`instantiates on a ${shared ? 'shared' : 'non-shared'} memory like the wasm backend's`, () => {
    const wa = wasmApi();
    const memory = new wa.Memory(shared ? { initial: 1, maximum: 65536, shared: true } : { initial: 1 });
    expect(() => new wa.Instance(module, { env: { memory } })).not.toThrow();
  });
});

describe('wasmTrainingModule', () => {
  beforeAll(() => useBackend('wasm'));

  it('instantiates once per heap and addresses tensors in place', () => {
    const a = wasmTrainingModule(tf.backend());
    expect(wasmTrainingModule(tf.backend()).kernels).toBe(a.kernels);
    const t = tf.tensor1d([1.5, -2, 3]);
    const heap = new Float32Array((tf.backend() as unknown as { wasm: { HEAPF32: Float32Array } }).wasm.HEAPF32.buffer);
    expect(Array.from(heap.subarray(a.offset(t) / 4, a.offset(t) / 4 + 3))).toEqual([1.5, -2, 3]);
    t.dispose();
  });

  it('writes the filter gradient in place of the output and nowhere else', () => {
    const m = wasmTrainingModule(tf.backend());
    // x = 1 everywhere, dy = 1 everywhere, 1 image 3×3×1, 3×3 filter, pad 1: dW[a, b] = number of valid pixels
    const x = tf.ones([1, 3, 3, 1]);
    const dy = tf.ones([1, 3, 3, 1]);
    const guard = tf.fill([64], 7);
    const dw = m.alloc([3, 3, 1, 1]);
    m.kernels.conv2dBackpropFilter(m.offset(x), m.offset(dy), m.offset(dw), 0, 1, 3, 3, 1, 3, 3, 1, 3, 3, 1, 1, 1, 1);
    const out = tf.engine().makeTensorFromTensorInfo(dw);
    // corners see 4 pixels, edges 6, the centre 9
    expect(Array.from(out.dataSync())).toEqual([4, 6, 4, 6, 9, 6, 4, 6, 4]);
    expect(Array.from(guard.dataSync()).every((v) => v === 7)).toBe(true);
    expect(Array.from(x.dataSync())).toEqual(new Array(9).fill(1));
    tf.dispose([x, dy, guard, out]);
  });
});
