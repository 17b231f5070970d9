import { loadMnist } from '@quantprune/data';
import { applyPrecision, createModel } from '@quantprune/graph';
import { createTrainer } from '@quantprune/tfjs';

const trainer = await createTrainer({
  graph: applyPrecision(createModel('lenet5'), 'xnor'), // binary conv2/fc1 weights (sign · mean|w|) and inputs
  train: loadMnist({ split: 'train' }),
  test: loadMnist({ split: 'test' }),
  limit: 12_800, // the first 12,800 training images
  batchSize: 64,
  optimizer: { kind: 'adam' },
  schedule: { kind: 'cosine', lr: 1e-3, totalSteps: 200 },
  normalize: { mean: [0.1307], std: [0.3081] },
  checkpoint: { file: 'runs/lenet-xnor/checkpoint.qpt', every: 100 },
  backend: 'wasm',
  progress: false,
});
const [epoch] = await trainer.fit({ epochs: 1 });
console.log(trainer.backend.name, trainer.position, epoch!.train);
console.log(epoch!.test);
trainer.dispose();
