import { readdirSync, readFileSync, statSync, type Dirent } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { DataError } from '../errors.ts';

/** Largest decompressed `.gz` payload accepted (the MNIST training images are 47 MB). */
export const MAX_GUNZIP_BYTES: number = 1 << 30;

/** Node's error code of a failed fs call, if any. */
function errnoCode(e: unknown): string | undefined {
  return typeof e === 'object' && e !== null && 'code' in e && typeof e.code === 'string' ? e.code : undefined;
}

/** Reads a whole file; a missing or unreadable file becomes a DataError saying what to do. */
export function readDataFile(file: string, hint: string): Uint8Array {
  try {
    const buffer = readFileSync(file);
    return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  } catch (e) {
    const code = errnoCode(e);
    if (code === 'ENOENT') throw new DataError(file, undefined, `file not found; ${hint}`);
    if (code === 'EISDIR') throw new DataError(file, undefined, `is a folder, expected a file; ${hint}`);
    throw new DataError(file, undefined, `cannot read the file (${code ?? String(e)}); check its permissions`);
  }
}

/** Lists a folder; a missing path or a file where a folder is expected becomes a DataError. */
export function listFolder(dir: string, hint: string): Dirent[] {
  try {
    return readdirSync(dir, { withFileTypes: true });
  } catch (e) {
    const code = errnoCode(e);
    if (code === 'ENOENT') throw new DataError(dir, undefined, `folder not found; ${hint}`);
    if (code === 'ENOTDIR') throw new DataError(dir, undefined, `is a file, expected a folder; ${hint}`);
    throw new DataError(dir, undefined, `cannot list the folder (${code ?? String(e)}); check its permissions`);
  }
}

/** Whether `path` exists as a regular file. */
export function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** Whether the bytes start with the gzip magic `1f 8b`. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** Decompresses a gzip file (bounded by MAX_GUNZIP_BYTES); a corrupt stream becomes a DataError. */
export function gunzip(bytes: Uint8Array, file: string): Uint8Array {
  try {
    const out = gunzipSync(bytes, { maxOutputLength: MAX_GUNZIP_BYTES });
    return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    // zlib does not report where in the compressed stream it failed, so no byte offset is given.
    throw new DataError(file, undefined, `corrupt or truncated gzip stream (zlib: ${message}); download the file again`);
  }
}
