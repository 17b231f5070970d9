import { packBits, unpackBits } from '@quantprune/formats';
import { Bench } from 'tinybench';
import type { BenchSuite } from '../../harness.ts';

/** pack/unpack of 16M codes at 1, 2, 4 and 8 bits, as a ratio to copying the same codes (Uint8Array.slice). */
export const suite: BenchSuite = {
  name: 'formats/pack-bits',
  description: 'packBits/unpackBits throughput on 16M codes, relative to a typed-array copy of the same codes',
  async run({ quick, log }) {
    const n = quick ? 1 << 14 : 1 << 24;
    const rows: Record<string, string | number>[] = [];
    for (const bits of [1, 2, 4, 8]) {
      const codes = Uint8Array.from({ length: n }, (_, i) => (i * 2654435761) >>> (32 - bits));
      const packed = packBits(codes, bits);
      // Correctness before timing.
      const back = unpackBits(packed, bits, n);
      for (let i = 0; i < n; i += 997) if (back[i] !== codes[i]) throw new Error(`pack-bits: ${bits}-bit round trip differs at ${i}`);
      const bench = new Bench({ time: quick ? 20 : 1500, iterations: quick ? 2 : 5 });
      bench
        .add('copy', () => void codes.slice())
        .add('pack', () => void packBits(codes, bits))
        .add('unpack', () => void unpackBits(packed, bits, n));
      await bench.run();
      const ms = (name: string): number => (bench.getTask(name)?.result as { latency?: { p50: number } } | undefined)?.latency?.p50 ?? NaN;
      const copy = ms('copy');
      rows.push({
        bits,
        'copy ms': copy,
        'pack ms': ms('pack'),
        'unpack ms': ms('unpack'),
        'pack ÷ copy': ms('pack') / copy,
        'unpack ÷ copy': ms('unpack') / copy,
        'pack Mcodes/s': n / ms('pack') / 1e3,
        'unpack Mcodes/s': n / ms('unpack') / 1e3,
      });
      log(`${bits}-bit done`);
    }
    return { rows, notes: [`${n.toLocaleString('en-US')} codes per case; times are medians of the sampled runs, ratios measured in the same process`] };
  },
};
