import { loadMnist } from '@quantprune/data';
import { applyPrecision, createModel, type PrecisionPreset } from '@quantprune/graph';
import { createTrainer } from '@quantprune/tfjs';
const [preset, variant, lrs, limits, bnFlag] = process.argv.slice(2);
const graph = applyPrecision(createModel('lenet5'), preset as PrecisionPreset);
if (variant === 'clip') for (const l of graph.layers) if ((l.kind === 'conv2d' || l.kind === 'dense') && l.activationQuantizer) l.activationQuantizer = { ...l.activationQuantizer, options: { variant: 'clip' } };
const limit = Number(limits ?? 12800);
const trainer = await createTrainer({
  graph, train: loadMnist({ split: 'train' }), test: loadMnist({ split: 'test' }), limit, batchSize: 64,
  optimizer: { kind: 'adam' }, schedule: { kind: 'cosine', lr: Number(lrs ?? 1e-3), totalSteps: Math.floor(limit / 64) },
  normalize: { mean: [0.1307], std: [0.3081] }, backend: 'wasm', progress: false, evalLimit: 2000,
  ...(bnFlag === 'clip1' ? { clipLatentWeights: 1 } : {}),
});
const [e] = await trainer.fit({ epochs: 1 });
console.log(preset, variant, lrs, limit, bnFlag ?? '', 'loss', e!.train.meanLoss.toFixed(4), 'top1', (100 * e!.test!.top1).toFixed(2), `${e!.train.seconds.toFixed(0)}s`);
trainer.dispose();
