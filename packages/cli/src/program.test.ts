import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodeContainer } from '@quantprune/formats';
import { describe, expect, it } from 'vitest';
import { main } from './program.ts';

async function run(...argv: string[]): Promise<{ status: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const status = await main(argv, { out: (t) => out.push(t), err: (t) => err.push(t) });
  return { status, out: out.join('\n'), err: err.join('\n') };
}

const dir = mkdtempSync(join(tmpdir(), 'quantprune-cli-'));
const good = join(dir, 'good.qpk');
writeFileSync(good, encodeContainer([{ name: 'fc.weight', shape: [4, 8], data: new Float32Array(32).fill(0.5) }], { metadata: { model: 'tiny' } }));

describe('quantprune inspect', () => {
  it('prints the header and tensor table of a valid file', async () => {
    const r = await run('inspect', good);
    expect(r.status).toBe(0);
    expect(r.out).toMatch(/\.qpk v1, [\d,]+ bytes/);
    expect(r.out).toMatch(/fc\.weight\s+\[4, 8\]\s+float32\s+32\s+32\s+128\s+ok/);
    expect(JSON.parse((await run('inspect', good, '--json')).out).tensors[0].crcOk).toBe(true);
  });

  it('exits 1 with one line naming file, offset and reason on damaged or hostile files', async () => {
    const bytes = readFileSync(good);
    const cases: [string, Uint8Array, RegExp][] = [
      ['truncated.qpk', bytes.subarray(0, bytes.length - 5), /truncated\.qpk: byte \d+: .*runs past the end/],
      ['magic.qpk', Uint8Array.from(bytes, (b, i) => (i === 0 ? 0x50 : b)), /magic\.qpk: byte 0: not a \.qpk file/],
      ['header.qpk', Uint8Array.from(bytes, (b, i) => (i === 25 ? b ^ 4 : b)), /header\.qpk: byte 16: header CRC-32 mismatch/],
      ['huge.qpk', Uint8Array.from(bytes, (b, i) => (i >= 12 && i < 16 ? 0xff : b)), /huge\.qpk: byte 12: header length 4294967295/],
      ['empty.qpk', new Uint8Array(0), /empty\.qpk: byte 0: file is 0 bytes/],
    ];
    for (const [name, content, message] of cases) {
      const file = join(dir, name);
      writeFileSync(file, content);
      const r = await run('inspect', file);
      expect(r.status).toBe(1);
      expect(r.err.split('\n')).toHaveLength(1);
      expect(r.err).toMatch(message);
      expect(r.err).not.toMatch(/\n\s+at /);
    }
  });

  it('reports a corrupted payload in the table and exits 1', async () => {
    const bytes = Uint8Array.from(readFileSync(good));
    bytes[bytes.length - 1]! ^= 1;
    const file = join(dir, 'payload.qpk');
    writeFileSync(file, bytes);
    const r = await run('inspect', file);
    expect(r.status).toBe(1);
    expect(r.out).toMatch(/MISMATCH/);
    expect(r.err).toMatch(/payload\.qpk: byte \d+: payload CRC-32 mismatch in tensor "fc\.weight"/);
  });

  it('names a missing file', async () => {
    const r = await run('inspect', join(dir, 'nope.qpk'));
    expect(r.status).toBe(1);
    expect(r.err).toMatch(/nope\.qpk: no such file/);
  });
});

describe('quantprune size', () => {
  it('reproduces the Paper A and Paper B reference bit counts', async () => {
    // papers.md §A.5: 28,182,016 bits (BNN) and 39,167,488 bits (DoReFa W2, 1-bit downsample); §B.3.6: 13,776,000 bits
    expect((await run('size', '--preset', 'resnet18-bnn')).out).toMatch(/28,182,016 bits = 3\.3596 MiB/);
    expect((await run('size', '--preset', 'resnet18-dorefa-w2')).out).toMatch(/39,167,488 bits = 4\.6691 MiB/);
    expect(JSON.parse((await run('size', '--preset', 'lenet5-fp32', '--json')).out).totalBits).toBe(13_776_000);
  });

  it('reads a JSON layer list and rejects bad input in one line', async () => {
    const file = join(dir, 'layers.json');
    writeFileSync(file, JSON.stringify([{ name: 'fc', kind: 'dense', shape: [10, 100], weightBits: 2 }]));
    expect(JSON.parse((await run('size', '--layers', file, '--json')).out).totalBits).toBe(2000);
    writeFileSync(file, '[{"name":"x","kind":"conv","shape":[1]}]');
    const bad = await run('size', '--layers', file);
    expect(bad.status).toBe(1);
    expect(bad.err).toMatch(/layer "x" \(conv\) needs a shape of 4 positive integers/);
    expect((await run('size', '--preset', 'nope')).err).toMatch(/unknown preset "nope"/);
  });
});

describe('quantprune demo and --help', () => {
  it('the demo writes a file whose predicted and actual sizes agree', async () => {
    const r = await run('demo', '--out', join(dir, 'demo.qpk'), '--no-train'); // the training part is tested in commands/train.test.ts
    expect(r.status).toBe(0);
    expect(r.out).toMatch(/28,182,016 bits/);
    const predicted = /predicted by the accounting formula: ([\d,]+) bytes/.exec(r.out)![1];
    const actual = /actual encoded file: +([\d,]+) bytes/.exec(r.out)![1];
    expect(actual).toBe(predicted);
  });

  it('--help lists the commands; the real binary runs from source', () => {
    const bin = fileURLToPath(new URL('../bin/quantprune.js', import.meta.url));
    const help = spawnSync(process.execPath, [bin, '--help'], { encoding: 'utf8' });
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/inspect \[options\] <file>/);
    const bad = spawnSync(process.execPath, [bin, 'inspect', join(dir, 'truncated.qpk')], { encoding: 'utf8' });
    expect(bad.status).toBe(1);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
  });
});
