// Test helper (not a test): writes safetensors files, to build valid and broken inputs.

/** Encodes tensors (float32 unless a dtype and raw bytes are given) as a safetensors file. */
export function encodeSafetensors(
  tensors: readonly { name: string; shape: number[]; data?: Float32Array; dtype?: string; raw?: Uint8Array }[],
  metadata?: Record<string, string>,
): Uint8Array {
  const header: Record<string, unknown> = metadata ? { __metadata__: metadata } : {};
  const chunks: Uint8Array[] = [];
  let offset = 0;
  for (const t of tensors) {
    const bytes = t.raw ?? new Uint8Array(t.data!.buffer, t.data!.byteOffset, t.data!.byteLength);
    header[t.name] = { dtype: t.dtype ?? 'F32', shape: t.shape, data_offsets: [offset, offset + bytes.length] };
    chunks.push(bytes);
    offset += bytes.length;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + offset);
  new DataView(out.buffer).setUint32(0, json.length, true);
  out.set(json, 8);
  let p = 8 + json.length;
  for (const c of chunks) {
    out.set(c, p);
    p += c.length;
  }
  return out;
}
