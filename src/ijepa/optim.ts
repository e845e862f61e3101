// AdamW exactly as torch.optim.AdamW (decoupled decay applied first, bias-corrected moments), with
// the reference's exclusions, and the EMA update of the target encoder. tfjs has no AdamW, and its
// Adam keeps moments per variable; ours keeps every parameter's moments end to end in two flat
// vectors, so that one kernel updates all first moments and one all second moments (torch's
// "foreach"/fused AdamW does the same), and checkpoints find each parameter's slice by name. On
// WebGPU one dispatch updates the moments and values of three parameters in place, and the EMA of
// four (./fused/webgpuMulti.ts).
import { adamWParam, fusedActive, lerpInto, paramUpdates } from './fused';
import type { Params } from './layers';
import * as tf from './tf';

export const ADAM_BETAS = [0.9, 0.999] as const;
export const ADAM_EPS = 1e-8;

/** The reference's param groups: no decay on biases or any 1-D parameter (LayerNorm). */
export function isDecayed(name: string, shape: readonly number[]): boolean {
  return !name.includes('bias') && shape.length !== 1;
}

/** Where one parameter's moments sit in the flat moment vectors. */
export interface MomentSlot {
  offset: number;
  size: number;
  shape: number[];
}

export interface AdamWState {
  step: number; // completed optimizer steps (PyTorch's state['step'])
  slots: Map<string, MomentSlot>; // by parameter name, in the order of the parameters
  expAvg: tf.Variable; // [P] first moments of every parameter, end to end
  expAvgSq: tf.Variable; // [P] second moments
}

/** Moments by parameter name, on the host (checkpoints). */
export type MomentsByName = Record<'expAvg' | 'expAvgSq', Record<string, Float32Array>>;

let optimizerCount = 0;

export function createAdamW(params: [string, tf.Variable][]): AdamWState {
  const id = `adamw${optimizerCount++}`;
  const slots = new Map<string, MomentSlot>();
  let total = 0;
  for (const [name, v] of params) {
    slots.set(name, { offset: total, size: v.size, shape: v.shape });
    total += v.size;
  }
  // tidy disposes the zeros; the variables keep their own reference to the data
  const [expAvg, expAvgSq] = tf.tidy(() => [
    tf.variable(tf.zeros([total]), false, `${id}/m`),
    tf.variable(tf.zeros([total]), false, `${id}/v`),
  ]);
  return { step: 0, slots, expAvg, expAvgSq };
}

/** One AdamW step. `grads` maps the same names as `params`. Call inside tf.tidy. */
export function adamWStep(
  state: AdamWState,
  params: [string, tf.Variable][],
  grads: Record<string, tf.Tensor>,
  lr: number,
  wd: number,
): void {
  const [beta1, beta2] = ADAM_BETAS;
  state.step += 1;
  const biasCorrection1 = 1 - beta1 ** state.step;
  const biasCorrection2 = 1 - beta2 ** state.step;
  const stepSize = lr / biasCorrection1;
  const decayOf = (name: string, param: tf.Variable) => (isDecayed(name, param.shape) && wd > 0 ? 1 - lr * wd : 1);
  const paramsByName = new Map(params);
  const ordered = [...state.slots].map(([name, slot]) => {
    const param = paramsByName.get(name);
    const grad = grads[name];
    if (!param || !grad) throw new Error(`AdamW: no ${param ? 'gradient' : 'parameter'} for ${name}`);
    return { name, slot, param, grad };
  });
  const sqrtBiasCorrection2 = Math.sqrt(biasCorrection2);
  const many = paramUpdates();
  if (many) {
    // a few parameters per launch, moments and values written in place (WebGPU)
    const updates = ordered.map(({ name, slot, param, grad }) => ({ param, grad, offset: slot.offset, decay: decayOf(name, param) }));
    many.adamW(updates, state.expAvg, state.expAvgSq, { beta1, beta2, stepSize, sqrtBiasCorrection2, eps: ADAM_EPS });
    return;
  }
  if (fusedActive('optimizer')) {
    // 2 kernels for all moments (plus the gradients' concat), then 1 per parameter: its new value
    // can only be written by a kernel of its own while parameters are separate tensors
    const g = tf.concat(ordered.map(({ grad }) => grad.reshape([-1]))); // [P]
    const newM = lerpInto(state.expAvg, g, beta1); // [P]
    const newV = lerpInto(state.expAvgSq, g, beta2, true); // [P]
    for (const { name, slot, param } of ordered) {
      param.assign(
        adamWParam(param, newM, newV, { offset: slot.offset, decay: decayOf(name, param), stepSize, sqrtBiasCorrection2, eps: ADAM_EPS }),
      );
    }
    state.expAvg.assign(newM);
    state.expAvgSq.assign(newV);
    return;
  }
  // The plain tfjs ops, one parameter at a time (torch's single-tensor AdamW): the unfused
  // reference that the fused kernels are checked and benchmarked against.
  const newMs: tf.Tensor[] = [];
  const newVs: tf.Tensor[] = [];
  for (const { name, slot, param, grad } of ordered) {
    const m = state.expAvg.slice(slot.offset, slot.size).reshape(slot.shape);
    const v = state.expAvgSq.slice(slot.offset, slot.size).reshape(slot.shape);
    const decay = decayOf(name, param);
    const decayed = decay !== 1 ? param.mul(decay) : param;
    const newM = m.mul(beta1).add(grad.mul(1 - beta1));
    const newV = v.mul(beta2).add(grad.square().mul(1 - beta2));
    const denom = newV.sqrt().div(sqrtBiasCorrection2).add(ADAM_EPS);
    param.assign(decayed.sub(newM.div(denom).mul(stepSize)));
    newMs.push(newM.reshape([-1]));
    newVs.push(newV.reshape([-1]));
  }
  state.expAvg.assign(tf.concat(newMs));
  state.expAvgSq.assign(tf.concat(newVs));
}

/** Every parameter's moments, by name (for checkpoints). */
export async function readMoments(state: AdamWState): Promise<MomentsByName> {
  const [m, v] = (await Promise.all([state.expAvg.data(), state.expAvgSq.data()])) as Float32Array[];
  const moments: MomentsByName = { expAvg: {}, expAvgSq: {} };
  for (const [name, { offset, size }] of state.slots) {
    moments.expAvg[name] = m.slice(offset, offset + size);
    moments.expAvgSq[name] = v.slice(offset, offset + size);
  }
  return moments;
}

/** Sets every parameter's moments from `moments` (a checkpoint's, by name). */
export function writeMoments(state: AdamWState, moments: MomentsByName): void {
  for (const key of ['expAvg', 'expAvgSq'] as const) {
    const flat = new Float32Array(state[key].size);
    for (const [name, { offset, size }] of state.slots) {
      const values = moments[key][name];
      if (!values || values.length !== size)
        throw new Error(`AdamW: ${key} of ${name} has ${values?.length ?? 0} values, expected ${size}`);
      flat.set(values, offset);
    }
    tf.tidy(() => state[key].assign(tf.tensor1d(flat)));
  }
}

/** theta_bar = m * theta_bar + (1 - m) * theta, for every encoder parameter. Call inside tf.tidy. */
export function emaUpdate(target: Params, online: Params, momentum: number): void {
  const many = paramUpdates();
  if (many) {
    many.ema(
      Object.entries(target).map(([name, t]) => ({ target: t, online: online[name] })),
      momentum,
    );
    return;
  }
  const fused = fusedActive('optimizer');
  for (const [name, t] of Object.entries(target)) {
    t.assign(fused ? lerpInto(t, online[name], momentum) : t.mul(momentum).add(online[name].mul(1 - momentum)));
  }
}

export function disposeAdamW(state: AdamWState): void {
  state.expAvg.dispose();
  state.expAvgSq.dispose();
}
