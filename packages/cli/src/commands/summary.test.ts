import { describe, expect, it } from 'vitest';
import { main } from '../program.ts';

async function run(...argv: string[]): Promise<{ status: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const status = await main(argv, { out: (t) => out.push(t), err: (t) => err.push(t) });
  return { status, out: out.join('\n'), err: err.join('\n') };
}

describe('quantprune summary', () => {
  it('prints the per-layer table and 28,182,016 bits for Paper A’s BNN ResNet-18', async () => {
    const r = await run('summary', 'resnet18-imagenet-paper-a', '--precision', 'bnn');
    expect(r.status).toBe(0);
    expect(r.out).toMatch(/^resnet18-imagenet-paper-a, precision bnn, first\/last layer fp32 — convention paper-a/);
    expect(r.out).toMatch(/conv1\s+conv2d\s+\[64×3×7×7\]\s+9,408\s+fp32\/fp32\s+32\s+301,056\s+37,632\s+0\s+118,013,952/);
    expect(r.out).toMatch(/layer2\.0\.downsample\.0\s+conv2d\s+\[128×64×1×1\]\s+8,192\s+binary-1\/binary-1\s+1\s+8,192/);
    // papers.md §A.5: 28,182,016 bits = 3.3596 MiB
    expect(r.out).toMatch(/total: 11,689,520 params, 28,182,016 bits = 3,522,752 bytes = 3\.3596 MiB/);
  });

  it('--precision dorefa gives 39,167,488 bits; --first-last and --convention are honoured', async () => {
    expect((await run('summary', 'resnet18-imagenet-paper-a', '--precision', 'dorefa')).out).toMatch(/39,167,488 bits/); // papers.md §A.5
    expect((await run('summary', 'vgg11-cifar', '--precision', 'bnn', '--first-last', 'quantized')).out).toMatch(/9,488,000 bits/); // §A.5
    const lenet = await run('summary', 'lenet5', '--convention', 'weights-only');
    expect(lenet.out).toMatch(/13,776,000 bits/); // papers.md §B.3.6: 430,500 × 32
    expect(lenet.out).not.toMatch(/batchnorm/);
  });

  it('--json prints the summary object', async () => {
    const s = JSON.parse((await run('summary', 'resnet20-cifar', '--precision', 'xnor', '--json')).out);
    expect(s.model).toBe('resnet20-cifar');
    expect(s.rows.find((r: { name: string }) => r.name === 'layer1.0.conv1').precision).toBe('xnor-1/binary-1');
    expect(s.totals.params).toBe(269_722 + 16 * 6 + 32 * 6 + 64 * 6); // + one XNOR scale per output channel of 18 block convs
  });

  it('exits 1 with one line for unknown models and options', async () => {
    const cases: [string[], RegExp][] = [
      [['summary', 'resnet19'], /^quantprune: model must be one of lenet5, lenet300-100, .*, got "resnet19"$/],
      [['summary', 'lenet5', '--precision', 'int4'], /^quantprune: --precision must be one of fp32, bnn, xnor, dorefa, got "int4"$/],
      [['summary', 'lenet5', '--first-last', 'no'], /^quantprune: --first-last must be one of fp32, quantized, got "no"$/],
      [['summary', 'lenet5', '--convention', 'mb'], /^quantprune: --convention must be one of paper-a, weights-only, got "mb"$/],
    ];
    for (const [argv, message] of cases) {
      const r = await run(...argv);
      expect(r.status).toBe(1);
      expect(r.err).toMatch(message);
    }
  });
});
