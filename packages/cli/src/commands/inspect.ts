import { readFileSync } from 'node:fs';
import { decodeContainer, valueBits, type ContainerTensor, type DecodedContainer } from '@quantprune/formats';
import { formatTable } from '../format-table.ts';
import type { CliIO } from '../io.ts';

/** Describes a tensor's encoding in a few words, e.g. `levels 2-bit · relative-4 · huffman`. */
export function describeEncoding(t: ContainerTensor): string {
  const e = t.encoding;
  const v = e.values;
  const parts = [v.kind === 'raw' ? e.dtype : `${v.kind} ${v.bits}-bit${v.channels > 1 ? ` ×${v.channels}ch` : ''}`];
  if (e.sparse) parts.push(e.sparse.kind === 'relative' ? `relative-${e.sparse.indexBits}` : e.sparse.kind);
  if (e.huffman) parts.push('huffman');
  return parts.join(' · ');
}

/** Payload bits per tensor element (everything the tensor costs in the file, parameters and indices included). */
function bitsPerWeight(t: ContainerTensor): number {
  const n = t.shape.reduce((a, b) => a * b, 1);
  return n === 0 ? 0 : (8 * t.length) / n;
}

/** Text of `quantprune inspect`: header summary and the tensor table. */
export function inspectReport(file: string, size: number, c: DecodedContainer): string {
  const rows = c.tensors.map((t) => ({
    name: t.name,
    shape: `[${t.shape.join(', ')}]`,
    encoding: describeEncoding(t),
    'value bits': valueBits(t.encoding),
    'bits/weight': Number(bitsPerWeight(t).toFixed(3)),
    bytes: t.length,
    crc: t.crcOk ? 'ok' : 'MISMATCH',
  }));
  const bad = c.tensors.filter((t) => !t.crcOk).length;
  return [
    `${file}: .qpk v${c.version}, ${size.toLocaleString('en-US')} bytes, header ${c.headerLength.toLocaleString('en-US')} bytes, alignment ${c.alignment}, ${c.tensors.length} tensors`,
    `metadata: ${JSON.stringify(c.metadata)}`,
    '',
    formatTable(rows),
    '',
    bad === 0 ? 'CRC-32: all tensors ok' : `CRC-32: ${bad} tensor(s) corrupted`,
  ].join('\n');
}

/** `quantprune inspect FILE.qpk [--json]`. Returns the exit status (1 when a CRC check fails). */
export function inspectCommand(file: string, options: { json?: boolean }, io: CliIO): number {
  const bytes = readFileSync(file);
  const c = decodeContainer(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), { onCrcMismatch: 'report' });
  if (options.json) {
    const tensors = c.tensors.map((t) => ({ name: t.name, shape: t.shape, encoding: t.encoding, fileOffset: t.fileOffset, length: t.length, crc32: t.crc32, crcOk: t.crcOk }));
    io.out(JSON.stringify({ file, bytes: bytes.length, version: c.version, alignment: c.alignment, metadata: c.metadata, tensors }, null, 2));
  } else {
    io.out(inspectReport(file, bytes.length, c));
  }
  for (const t of c.tensors.filter((x) => !x.crcOk)) {
    io.err(`quantprune: ${file}: byte ${t.fileOffset}: payload CRC-32 mismatch in tensor "${t.name}" (the data is corrupted)`);
  }
  return c.tensors.every((t) => t.crcOk) ? 0 : 1;
}
