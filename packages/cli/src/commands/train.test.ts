import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dataRoot } from '@quantprune/data';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../program.ts';

async function run(...argv: string[]): Promise<{ status: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const status = await main(argv, { out: (t) => out.push(t), err: (t) => err.push(t) });
  return { status, out: out.join('\n'), err: err.join('\n') };
}

const dir = mkdtempSync(join(tmpdir(), 'quantprune-train-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('quantprune train / eval on real MNIST (small subsets)', () => {
  it('trains, checkpoints, resumes, writes a .qpk that eval scores identically', async () => {
    const ckpt = join(dir, 'run');
    const model = join(dir, 'lenet.qpk');
    const common = ['--model', 'lenet5', '--dataset', 'mnist', '--limit', '640', '--test-limit', '300', '--backend', 'wasm', '--checkpoint-dir', ckpt, '--checkpoint-every', '4'];
    const first = await run('train', ...common, '--epochs', '1');
    expect(first.status).toBe(0);
    expect(first.out).toMatch(/training lenet5 \(fp32\) on mnist: 640 images, batch 64, 1 epoch\(s\) of 10 steps, adam lr 0\.001 \(cosine\), backend wasm/);
    expect(first.out).toMatch(/epoch 1\/1: train loss \d\.\d{4}, test top-1 \d+\.\d\d %/);
    expect(first.out).toMatch(/model size: 431,080 params, 13,794,560 bits/);
    expect(first.err).toMatch(/epoch 1\/1 {2}step 10\/10 {2}loss \d/); // log lines (not a TTY)
    expect(existsSync(join(ckpt, 'checkpoint.qpt'))).toBe(true);

    const second = await run('train', ...common, '--epochs', '2', '--resume', '--out', model);
    expect(second.status).toBe(0);
    expect(second.out).toMatch(/resumed at step 10/);
    expect(second.out).toMatch(/^epoch 2\/2: /m);
    expect(second.out).not.toMatch(/^epoch 1\/2: /m);
    const top1 = /^test: top-1 (\d+\.\d\d) %/m.exec(second.out)![1];

    const scored = await run('eval', '--model', 'lenet5', '--weights', model, '--dataset', 'mnist', '--limit', '300', '--backend', 'wasm');
    expect(scored.status).toBe(0);
    expect(scored.out).toContain(`lenet5 on mnist (300 test images, backend wasm 4.22.0): top-1 ${top1} %`);
  }, 240_000); // train, resume and eval on real MNIST: over 60 s on a loaded 2-core machine

  it('fails with one line and status 1', async () => {
    const cases: [string[], RegExp][] = [
      [['train', '--model', 'nope'], /^quantprune: --model must be one of lenet5, .*got "nope"$/],
      [['train', '--resume'], /--resume needs --checkpoint-dir/],
      [['train', '--resume', '--checkpoint-dir', join(dir, 'empty')], /no checkpoint to resume from/],
      [['train', '--epochs', '0'], /--epochs must be an integer ≥ 1/],
      [['train', '--distill', '--precision', 'bnn'], /--distill needs --weights/],
      [['eval', '--weights', join(dir, 'missing.safetensors')], /missing\.safetensors: no such file/],
      [['eval', '--model', 'resnet20-cifar', '--dataset', 'cifar10', '--data-dir', join(dir, 'nothing')], /no CIFAR-10 test data/],
      [['eval', '--model', 'resnet20-cifar', '--dataset', 'mnist', '--limit', '10'], /model resnet20-cifar takes \[3×32×32\] inputs, mnist images are \[1×28×28\]/],
    ];
    for (const [argv, message] of cases) {
      const r = await run(...argv);
      expect(r.status, argv.join(' ')).toBe(1);
      expect(r.err.split('\n'), argv.join(' ')).toHaveLength(1);
      expect(r.err).toMatch(message);
    }
  });
});

const root = dataRoot();
describe.skipIf(root === undefined)('quantprune eval on the shared CIFAR-10 subset (QUANTPRUNE_DATA_DIR)', () => {
  it('scores the pretrained ResNet-20 on the first 200 test images', async () => {
    const weights = join(root!, 'pretrained', 'resnet20-12fca82f.safetensors');
    const r = await run('eval', '--model', 'resnet20-cifar', '--weights', weights, '--dataset', 'cifar10', '--limit', '200', '--backend', 'wasm', '--json');
    expect(r.status).toBe(0);
    const report = JSON.parse(r.out) as { examples: number; top1: number; top5: number };
    expect(report.examples).toBe(200);
    expect(report.top1).toBeGreaterThan(0.85); // 91.5 % on the first 1,000 (shared/datasets/README.md)
    expect(report.top5).toBeGreaterThan(0.98);
  });

  it('calibrates a DoReFa W2A2 fine-tune of the pretrained ResNet-20 before training', async () => {
    const weights = join(root!, 'pretrained', 'resnet20-12fca82f.safetensors');
    const argv = ['--model', 'resnet20-cifar', '--weights', weights, '--dataset', 'cifar10', '--precision', 'dorefa', '--dorefa-activations', 'clip'];
    const r = await run('train', ...argv, '--calibrate', '2', '--distill', '--limit', '128', '--test-limit', '100', '--optimizer', 'sgd', '--lr', '0.001', '--backend', 'wasm', '--no-progress');
    expect(r.status, r.err).toBe(0);
    expect(r.out).toMatch(/sgd lr 0\.001 \(cosine\), distilled from the float model, backend wasm/);
    // 18 quantized 3×3 convs (stem and classifier stay float; the option-A ResNet-20 has no projection convs)
    const m = /calibrated 18 DoReFa weight tensors: mean quantization error (\d\.\d{3}) → (\d\.\d{3})/.exec(r.out);
    expect(m, r.out).not.toBeNull();
    expect(Number(m![2])).toBeLessThan(Number(m![1]));
    // their 18 inputs get clip values from the float model's activations (post-ReLU, well above DoReFa's 1)
    const a = /calibrated 18 DoReFa activation clip values \((\d+\.\d\d) … (\d+\.\d\d)\): mean squared error (\d\.\d{4}) at 1 → (\d\.\d{4})/.exec(r.out);
    expect(a, r.out).not.toBeNull();
    expect(Number(a![1])).toBeGreaterThan(1);
    expect(Number(a![4])).toBeLessThan(Number(a![3]));
    expect(r.out).toMatch(/BatchNorm statistics re-estimated on 128 images; test top-1 before training \d+\.\d\d %/);
    expect((await run('train', ...argv, '--calibrate', '0')).err).toMatch(/--calibrate must be an integer ≥ 1, got "0"/);
  }, 240_000);
});
