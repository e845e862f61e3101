// AdamW exactly as torch.optim.AdamW (decoupled decay applied first, bias-corrected moments), with
// the reference's exclusions, and the EMA update of the target encoder. tfjs has no AdamW, and its
// Adam keeps moments by list position; ours keeps them by name so checkpoints can hold them.
import { adamWParam, fusedKernelsActive, lerpInto } from './fused';
import type { Params } from './layers';
import * as tf from './tf';

export const ADAM_BETAS = [0.9, 0.999] as const;
export const ADAM_EPS = 1e-8;

/** The reference's param groups: no decay on biases or any 1-D parameter (LayerNorm). */
export function isDecayed(name: string, shape: readonly number[]): boolean {
  return !name.includes('bias') && shape.length !== 1;
}

export interface AdamWState {
  step: number; // completed optimizer steps (PyTorch's state['step'])
  expAvg: Record<string, tf.Variable>; // first moment, by parameter name
  expAvgSq: Record<string, tf.Variable>; // second moment, by parameter name
}

let optimizerCount = 0;

export function createAdamW(params: [string, tf.Variable][]): AdamWState {
  const id = `adamw${optimizerCount++}`;
  const expAvg: Record<string, tf.Variable> = {};
  const expAvgSq: Record<string, tf.Variable> = {};
  for (const [name, v] of params) {
    tf.tidy(() => {
      // tidy disposes the zeros; the variables keep their own reference to the data
      expAvg[name] = tf.variable(tf.zeros(v.shape), false, `${id}/m/${name}`);
      expAvgSq[name] = tf.variable(tf.zeros(v.shape), false, `${id}/v/${name}`);
    });
  }
  return { step: 0, expAvg, expAvgSq };
}

/** One AdamW step. `grads` maps the same names as `params`. Call inside tf.tidy. */
export function adamWStep(state: AdamWState, params: [string, tf.Variable][], grads: Record<string, tf.Tensor>, lr: number, wd: number): void {
  const [beta1, beta2] = ADAM_BETAS;
  state.step += 1;
  const biasCorrection1 = 1 - beta1 ** state.step;
  const biasCorrection2 = 1 - beta2 ** state.step;
  const stepSize = lr / biasCorrection1;
  const fused = fusedKernelsActive();
  for (const [name, param] of params) {
    const g = grads[name];
    if (!g) throw new Error(`AdamW: no gradient for ${name}`);
    const m = state.expAvg[name];
    const v = state.expAvgSq[name];
    if (fused) {
      // three kernels per parameter instead of about thirteen
      const newM = lerpInto(m, g, beta1);
      const newV = lerpInto(v, g, beta2, true);
      const decay = isDecayed(name, param.shape) && wd > 0 ? 1 - lr * wd : 1;
      param.assign(adamWParam(param, newM, newV, { decay, stepSize, sqrtBiasCorrection2: Math.sqrt(biasCorrection2), eps: ADAM_EPS }));
      m.assign(newM);
      v.assign(newV);
      continue;
    }
    const decayed = isDecayed(name, param.shape) && wd > 0 ? param.mul(1 - lr * wd) : param;
    const newM = m.mul(beta1).add(g.mul(1 - beta1));
    const newV = v.mul(beta2).add(g.square().mul(1 - beta2));
    const denom = newV.sqrt().div(Math.sqrt(biasCorrection2)).add(ADAM_EPS);
    m.assign(newM);
    v.assign(newV);
    param.assign(decayed.sub(newM.div(denom).mul(stepSize)));
  }
}

/** theta_bar = m * theta_bar + (1 - m) * theta, for every encoder parameter. Call inside tf.tidy. */
export function emaUpdate(target: Params, online: Params, momentum: number): void {
  const fused = fusedKernelsActive();
  for (const [name, t] of Object.entries(target)) {
    t.assign(fused ? lerpInto(t, online[name], momentum) : t.mul(momentum).add(online[name].mul(1 - momentum)));
  }
}

export function disposeAdamW(state: AdamWState): void {
  for (const v of [...Object.values(state.expAvg), ...Object.values(state.expAvgSq)]) v.dispose();
}
