// The kNN and the linear probe of ./probes.ts for WIDE features (raw pixels: 3,072 numbers per image at
// 32 px), with their products on the tfjs backend. In plain TypeScript a probe on pixels costs
// minutes (measured: ~2 s per iteration at 2,000 x 3,072, against ~10 ms as matMuls on WASM). Same
// algorithms, same hyperparameters: standardised features, zero init, full-batch Adam, L2 penalty
// (the test checks both probes agree). The probe runs as a generator of iterations so that a caller
// can run it in slices between training steps.
import { knnVote, PROBE_ITERATIONS, type Features, type ProbeResult } from './probes';
import * as tf from './tf';

/** kNN accuracy (cosine, k = 20, exp(s / 0.07) votes) with the similarity matrix as one matMul. */
export async function wideKnnAccuracy(train: Features, test: Features, numClasses: number): Promise<number> {
  const similarities = tf.tidy(() => {
    const unit = (f: Features) => {
      const rows = tf.tensor2d(f.data, [f.n, f.dim]); // [n, dim]
      return rows.div(rows.norm('euclidean', 1, true).maximum(1e-12));
    };
    return tf.matMul(unit(test), unit(train), false, true); // [test, train]
  });
  try {
    return knnVote((await similarities.data()) as Float32Array, train.labels, test.labels, numClasses);
  } finally {
    similarities.dispose();
  }
}

/** Linear probe as ./probes.ts `linearProbe` (same defaults), `sliceIterations` iterations per yield. */
export async function* wideLinearProbe(
  train: Features,
  test: Features,
  numClasses: number,
  sliceIterations = 25,
  iterations = PROBE_ITERATIONS,
  learningRate = 0.05,
  l2 = 1e-4,
): AsyncGenerator<number, ProbeResult> {
  const C = numClasses;
  const { x, xTest, y } = tf.tidy(() => {
    const raw = tf.tensor2d(train.data, [train.n, train.dim]); // [n, dim]
    const mean = raw.mean(0);
    const std = raw.sub(mean).square().mean(0).sqrt().add(1e-6); // population std, as probes.ts
    const standardise = (f: Features) => tf.tensor2d(f.data, [f.n, f.dim]).sub(mean).div(std) as tf.Tensor2D;
    return {
      x: standardise(train),
      xTest: standardise(test),
      y: tf.oneHot(tf.tensor1d(train.labels, 'int32'), C).toFloat() as tf.Tensor2D,
    };
  });
  let state = {
    w: tf.zeros([train.dim, C]),
    b: tf.zeros([C]),
    mw: tf.zeros([train.dim, C]),
    mb: tf.zeros([C]),
    vw: tf.zeros([train.dim, C]),
    vb: tf.zeros([C]),
  };
  try {
    for (let it = 1; it <= iterations; it++) {
      const next = tf.tidy(() => {
        const logits = x.matMul(state.w).add(state.b); // [n, C]
        const err = tf.softmax(logits).sub(y).div(train.n); // d(mean cross-entropy)/d(logit)
        const gw = x.matMul(err, true, false).add(state.w.mul(2 * l2)); // [dim, C]
        const gb = err.sum(0); // [C]
        const adam = (q: tf.Tensor, g: tf.Tensor, m: tf.Tensor, v: tf.Tensor) => {
          const m2 = m.mul(0.9).add(g.mul(0.1));
          const v2 = v.mul(0.999).add(g.square().mul(0.001));
          const step = m2.div(1 - 0.9 ** it).div(
            v2
              .div(1 - 0.999 ** it)
              .sqrt()
              .add(1e-8),
          );
          return [q.sub(step.mul(learningRate)), m2, v2];
        };
        const [w, mw, vw] = adam(state.w, gw, state.mw, state.vw);
        const [b, mb, vb] = adam(state.b, gb, state.mb, state.vb);
        return { w, b, mw, mb, vw, vb };
      });
      tf.dispose(Object.values(state));
      state = next;
      if (it % sliceIterations === 0 && it < iterations) yield it;
    }
    const accuracy = async (features: tf.Tensor2D, labels: Int32Array) => {
      if (labels.length === 0) return 0;
      const predicted = tf.tidy(() => features.matMul(state.w).add(state.b).argMax(1));
      const classes = await predicted.data();
      predicted.dispose();
      return labels.filter((label, i) => classes[i] === label).length / labels.length;
    };
    return { trainAccuracy: await accuracy(x, train.labels), testAccuracy: await accuracy(xTest, test.labels) };
  } finally {
    tf.dispose([x, xTest, y, ...Object.values(state)]);
  }
}
