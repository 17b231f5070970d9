/**
 * Loss terms of training: softmax cross-entropy on logits, the proximal terms of ADMM
 * ((ρ/2)·‖W − target‖², see {@link ProximalTerm} in @quantprune/graph) and Paper A's soft-orthogonality
 * regulariser (papers.md §A.3.9), and Hinton et al.'s knowledge-distillation term. All are differentiable TF.js expressions; call them inside a tidy.
 */
import * as tf from '@tensorflow/tfjs-core';

/**
 * Cross-entropy of every example: `−log softmax(logits)[label]`.
 *
 * @param logits - `[N, C]` float32
 * @param labels - `[N]` int32 class indices in `[0, C)`
 * @returns `[N]` losses
 * @throws RangeError when the shapes do not match
 */
export function crossEntropyPerExample(logits: tf.Tensor, labels: tf.Tensor): tf.Tensor1D {
  if (logits.rank !== 2 || labels.rank !== 1 || labels.shape[0] !== logits.shape[0]) {
    throw new RangeError(`crossEntropyPerExample: logits must be [N, C] and labels [N], got [${logits.shape}] and [${labels.shape}]`);
  }
  const classes = logits.shape[1]!;
  return tf.tidy(() => {
    // int32 one-hot, then a cast: the wasm OneHot kernel writes int32 bits into a float32 output (tfjs 4.22)
    const onehot = tf.cast(tf.oneHot(tf.cast(labels, 'int32'), classes), 'float32');
    return tf.neg(tf.sum(tf.mul(onehot, tf.logSoftmax(logits)), 1));
  });
}

/**
 * Knowledge distillation (Hinton, Vinyals, Dean 2015): `T²·KL(softmax(t/T) ‖ softmax(s/T))`, averaged over the
 * batch. The T² factor keeps its gradient on the scale of the cross-entropy's as T changes. Gradients reach the
 * teacher only through variables it shares with the student (the trainer's teacher shares none).
 *
 * @param student - `[N, C]` logits being trained
 * @param teacher - `[N, C]` logits of the teacher
 * @param temperature - T > 0
 * @returns a scalar (0 when the two distributions are equal)
 * @throws RangeError when the shapes differ or T is not > 0
 * @example
 * ```ts
 * distillationLoss(studentLogits, teacherLogits, 4);
 * ```
 */
export function distillationLoss(student: tf.Tensor, teacher: tf.Tensor, temperature: number): tf.Scalar {
  if (student.rank !== 2 || teacher.shape.length !== 2 || student.shape.some((d, i) => d !== teacher.shape[i])) {
    throw new RangeError(`distillationLoss: student and teacher logits must both be [N, C], got [${student.shape}] and [${teacher.shape}]`);
  }
  if (!(temperature > 0) || !Number.isFinite(temperature)) throw new RangeError(`distillationLoss: temperature must be finite and > 0, got ${temperature}`);
  return tf.tidy(() => {
    const t = tf.logSoftmax(tf.div(teacher, temperature));
    const s = tf.logSoftmax(tf.div(student, temperature));
    const kl = tf.sum(tf.mul(tf.exp(t), tf.sub(t, s)), 1);
    return tf.mul(tf.mean(kl), temperature * temperature) as tf.Scalar;
  });
}

/**
 * Mean softmax cross-entropy over the batch (torch `F.cross_entropy` with its default `reduction='mean'`).
 *
 * @param logits - `[N, C]` float32
 * @param labels - `[N]` int32 class indices
 * @returns a scalar
 * @example
 * ```ts
 * softmaxCrossEntropy(tf.tensor2d([[0, 0]]), tf.tensor1d([1], 'int32')); // log 2
 * ```
 */
export function softmaxCrossEntropy(logits: tf.Tensor, labels: tf.Tensor): tf.Scalar {
  return tf.tidy(() => tf.mean(crossEntropyPerExample(logits, labels)));
}

/** A proximal term on tensors: the parameter, its target (same shape and layout) and ρ. */
export interface ProximalTensor {
  readonly value: tf.Tensor;
  readonly target: tf.Tensor;
  readonly rho: number;
}

/**
 * The sum of the proximal terms `(ρ/2)·‖W − target‖²` (ADMM's augmented-Lagrangian term with target Z − U).
 *
 * @param terms - parameters with their targets and ρ ≥ 0
 * @returns a scalar (0 for no terms)
 * @throws RangeError for a negative ρ or a target of another shape
 */
export function proximalPenalty(terms: readonly ProximalTensor[]): tf.Scalar {
  return tf.tidy(() => {
    let total: tf.Scalar = tf.scalar(0);
    for (const { value, target, rho } of terms) {
      if (!(rho >= 0) || !Number.isFinite(rho)) throw new RangeError(`proximalPenalty: rho must be finite and ≥ 0, got ${rho}`);
      if (value.shape.length !== target.shape.length || value.shape.some((d, i) => d !== target.shape[i])) {
        throw new RangeError(`proximalPenalty: target shape [${target.shape}] differs from the parameter's [${value.shape}]`);
      }
      total = tf.add(total, tf.mul(rho / 2, tf.sum(tf.square(tf.sub(value, target)))));
    }
    return total;
  });
}

/**
 * Paper A's soft-orthogonality term of one conv weight (papers.md §A.3.9): the OIHW tensor is viewed row-major as
 * a matrix with `C_out` columns (torch `w.view(-1, C_out)`, a raw view, as the authors' code does) and the term is
 * `‖WᵀW / n − I‖_F` for binarized convs (n = rows) and `‖WᵀW − I‖_F` for full-precision ones.
 *
 * @param weightOihw - conv weight in the IR's `[out, in, kh, kw]` layout
 * @param binarized - whether the layer's weights are quantized
 * @returns a scalar
 */
export function softOrthogonality(weightOihw: tf.Tensor, binarized: boolean): tf.Scalar {
  if (weightOihw.rank !== 4) throw new RangeError(`softOrthogonality: expected an [out, in, kh, kw] weight, got [${weightOihw.shape}]`);
  const out = weightOihw.shape[0]!;
  return tf.tidy(() => {
    const w = tf.reshape(weightOihw, [-1, out]);
    let gram: tf.Tensor = tf.matMul(w, w, true, false);
    if (binarized) gram = tf.div(gram, w.shape[0]!);
    return tf.sqrt(tf.sum(tf.square(tf.sub(gram, tf.eye(out)))));
  });
}
