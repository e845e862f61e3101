// The three networks of I-JEPA as named tf.variables: encoder and predictor (trained), and the
// target encoder (an EMA copy of the encoder, never trained by gradient). Init as the reference.
import { gridSize, type IJepaConfig } from './config';
import type { Params } from './layers';
import { encoderPosEmbed, sinCosPosEmbed } from './posEmbed';
import { predictorShapes } from './predictor';
import { createRng, type Rng } from './rng';
import * as tf from './tf';
import { encoderShapes } from './vit';

export type ModuleName = 'encoder' | 'target_encoder' | 'predictor';
export const MODULES: readonly ModuleName[] = ['encoder', 'target_encoder', 'predictor'];

export interface IJepaModel {
  readonly config: IJepaConfig;
  readonly encoder: Params;
  readonly targetEncoder: Params;
  readonly predictor: Params;
  readonly posEmbed: tf.Tensor2D; // [N, D] fixed sin-cos, times config.posEmbedScale
  readonly predictorPosEmbed: tf.Tensor2D; // [N, Dp] fixed sin-cos
}

export const INIT_STD = 0.02;
let modelCount = 0; // tf.variable names are global: every model gets its own prefix

export function moduleParams(model: IJepaModel, name: ModuleName): Params {
  return name === 'encoder' ? model.encoder : name === 'target_encoder' ? model.targetEncoder : model.predictor;
}

export function moduleShapes(config: IJepaConfig, name: ModuleName): Record<string, number[]> {
  return name === 'predictor' ? predictorShapes(config) : encoderShapes(config);
}

/** The reference's init: Linear/conv weights and mask_token ~ N(0, 0.02^2) truncated at +-2,
 *  biases 0, LayerNorm (1, 0); then attn.proj and mlp.fc2 of block i divided by sqrt(2 (i + 1)). */
export function initialValues(shapes: Record<string, number[]>, rng: Rng): Record<string, Float32Array> {
  const values: Record<string, Float32Array> = {};
  for (const [name, shape] of Object.entries(shapes)) {
    const size = shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(size);
    const isNorm = /norm\d?\.weight$/.test(name);
    const isMatrix = shape.length > 1; // weights and mask_token; biases and norms are 1-D
    if (isNorm) data.fill(1);
    else if (isMatrix) {
      const rescale = /blocks\.(\d+)\.(attn\.proj|mlp\.fc2)\.weight$/.exec(name);
      const scale = rescale ? 1 / Math.sqrt(2 * (Number(rescale[1]) + 1)) : 1;
      for (let i = 0; i < size; i++) {
        let z = rng.normal() * INIT_STD;
        while (Math.abs(z) > 2) z = rng.normal() * INIT_STD;
        data[i] = z * scale;
      }
    }
    values[name] = data;
  }
  return values;
}

function makeParams(prefix: string, shapes: Record<string, number[]>, values: Record<string, Float32Array>, trainable: boolean): Params {
  const params: Params = {};
  for (const [name, shape] of Object.entries(shapes)) {
    const initial = tf.tensor(values[name], shape);
    params[name] = tf.variable(initial, trainable, `${prefix}/${name}`);
    initial.dispose(); // the variable holds its own reference to the data
  }
  return params;
}

/** A fresh model; the target encoder starts as an exact copy of the encoder. */
export function createModel(config: IJepaConfig): IJepaModel {
  const rng = createRng(config.seed, 0x696e6974);
  const encoderValues = initialValues(encoderShapes(config), rng);
  const predictorValues = initialValues(predictorShapes(config), rng);
  return buildModel(config, { encoder: encoderValues, target_encoder: encoderValues, predictor: predictorValues });
}

/** A model from given values (tfjs layout), e.g. a checkpoint's. */
export function buildModel(config: IJepaConfig, values: Record<ModuleName, Record<string, Float32Array>>): IJepaModel {
  const id = `ijepa${modelCount++}`;
  const grid = gridSize(config);
  return {
    config,
    encoder: makeParams(`${id}/encoder`, encoderShapes(config), values.encoder, true),
    targetEncoder: makeParams(`${id}/target_encoder`, encoderShapes(config), values.target_encoder, false),
    predictor: makeParams(`${id}/predictor`, predictorShapes(config), values.predictor, true),
    posEmbed: tf.tensor2d(encoderPosEmbed(config), [grid * grid, config.embedDim]),
    predictorPosEmbed: tf.tensor2d(sinCosPosEmbed(config.predEmbedDim, grid), [grid * grid, config.predEmbedDim]),
  };
}

/** Trained parameters in a fixed order ('encoder.<name>', then 'predictor.<name>'). */
export function trainableParams(model: IJepaModel): [string, tf.Variable][] {
  return [
    ...Object.entries(model.encoder).map(([n, v]) => [`encoder.${n}`, v] as [string, tf.Variable]),
    ...Object.entries(model.predictor).map(([n, v]) => [`predictor.${n}`, v] as [string, tf.Variable]),
  ];
}

export function countParams(params: Params): number {
  return Object.values(params).reduce((sum, v) => sum + v.size, 0);
}

export function disposeModel(model: IJepaModel): void {
  for (const params of [model.encoder, model.targetEncoder, model.predictor]) {
    for (const v of Object.values(params)) v.dispose();
  }
  model.posEmbed.dispose();
  model.predictorPosEmbed.dispose();
}
