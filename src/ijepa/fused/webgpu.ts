// The fused kernels (./index.ts) as WGSL programs for tfjs' WebGPU backend (run through
// ./webgpuProgram.ts). Each program
// is a plain object that the backend compiles and launches (runWebGPUProgram): tfjs writes the
// shader's preamble (bindings: `result` for the output, one read-only array per input name, and
// `uniforms`), we write `main`. Row kernels (LayerNorm, attention) give one thread a whole row, which
// is enough parallelism at these widths (rows = images x tokens, x heads for attention) and needs no
// shared memory.
// Per-step numbers (learning rate, momentum) are uniforms, so every shader compiles once per run.
import { FUSED_KERNELS, rowsCols, size } from '.';
import * as tf from '../tf';
import { WORKGROUP, elementwise, launch, perRow, register, rowwise, type Launch, type WebGpuBackendLike } from './webgpuProgram';
import { registerMultiOutput } from './webgpuMulti';

// Row statistics in WGSL: mean and 1/sqrt(var + eps) of row `row` of X (two passes, as the CPU).
const ROW_STATS = `
  let base = row * uniforms.cols;
  var mean = 0.0;
  for (var d = 0; d < uniforms.cols; d = d + 1) { mean = mean + X[base + d]; }
  mean = mean / f32(uniforms.cols);
  var variance = 0.0;
  for (var d = 0; d < uniforms.cols; d = d + 1) { let c = X[base + d] - mean; variance = variance + c * c; }
  let rstd = inverseSqrt(variance / f32(uniforms.cols) + uniforms.eps);`;

// A column's sums over a workgroup: each thread (`lane`) has summed every WORKGROUP-th row into the
// variables named; their partial sums are halved in workgroup memory and lane 0 writes each total to
// its destination (`{ sum: 'result[col]' }`).
const workgroupPartials = (names: string[]) => names.map((name) => `var<workgroup> ${name}Partial : array<f32, ${WORKGROUP}>;`).join('\n');
const sumOverWorkgroup = (into: Record<string, string>) => {
  const names = Object.keys(into);
  return `
        ${names.map((name) => `${name}Partial[lane] = ${name};`).join(' ')}
        workgroupBarrier();
        for (var half = ${WORKGROUP / 2}; half > 0; half = half / 2) {
          if (lane < half) { ${names.map((name) => `${name}Partial[lane] = ${name}Partial[lane] + ${name}Partial[lane + half];`).join(' ')} }
          workgroupBarrier();
        }
        if (lane == 0) { ${names.map((name) => `${into[name]} = ${name}Partial[0];`).join(' ')} }`;
};

// A query row q's attention in one pass over the keys (the online softmax): `top` the largest score so
// far, `total` the sum of exp(score - top), `acc` the values weighted so; the output is acc / total.
const ONLINE_SOFTMAX = `
      var top = -3.0e38;
      var total = 0.0;
      for (var j = 0; j < N; j = j + 1) {
        var s = 0.0;
        for (var d = 0; d < HD; d = d + 1) { s = s + q[d] * QKV[kAt + j * 3 * D + d]; }
        s = s * uniforms.scale;
        let newTop = max(top, s);
        let keep = exp(top - newTop);
        let p = exp(s - newTop);
        total = total * keep + p;
        for (var d = 0; d < HD; d = d + 1) { acc[d] = acc[d] * keep + p * QKV[vAt + j * 3 * D + d]; }
        top = newTop;
      }`;

/** A kernel with one thread per (image, head, token) of qkv [B, N, 3D] (channels [3, H, hd]). The head
 *  width is a constant of the shader (its key names it; `HD` in the body), so that a row of q, k or v
 *  fits in registers; the body sees b, h, t, D, N, and qAt / kAt / vAt (where this image's head starts
 *  in QKV: + token * 3D) and dyAt (in a [B, N, D] tensor: + token * D). */
function perHeadRow(
  name: string,
  inputs: [string, tf.TensorInfo][],
  { numHeads, scale }: Record<string, number>,
  outputShape: number[],
  body: string,
): Launch {
  const [B, N, D3] = inputs[0][1].shape;
  const hd = D3 / 3 / numHeads;
  return {
    name: `${name}_hd${hd}`,
    inputs,
    outputShape,
    threads: B * numHeads * N,
    uniforms: [
      ['threads', 'i32', B * numHeads * N],
      ['tokens', 'i32', N],
      ['heads', 'i32', numHeads],
      ['width', 'i32', D3 / 3],
      ['scale', 'f32', scale],
    ],
    body: `
      if (index >= uniforms.threads) { return; }
      let t = index % uniforms.tokens;
      let h = (index / uniforms.tokens) % uniforms.heads;
      let b = index / (uniforms.tokens * uniforms.heads);
      let D = uniforms.width;
      let N = uniforms.tokens;
      let qAt = (b * N) * 3 * D + h * ${hd}; // + token * 3 * D
      let kAt = qAt + D;
      let vAt = qAt + 2 * D;
      let dyAt = (b * N) * D + h * ${hd}; // + token * D
      ${body.replace(/\bHD\b/g, String(hd))}`,
  };
}

/** The fused kernels as WGSL programs on the WebGPU backend. Called once, by ./register.ts. */
export function registerWebGpuKernels(): void {
  register(FUSED_KERNELS.layerNorm, ({ x, gamma, beta }, { eps }) =>
    rowwise(
      'layer_norm',
      [
        ['X', x],
        ['Gamma', gamma],
        ['Beta', beta],
      ],
      [['eps', 'f32', eps]],
      `
        ${ROW_STATS}
        for (var d = 0; d < uniforms.cols; d = d + 1) { result[base + d] = (X[base + d] - mean) * rstd * Gamma[d] + Beta[d]; }`,
    ),
  );

  // the backward in two launches: per row, dx with the row's statistics written beside it; per column
  // (a workgroup each, its threads over every WORKGROUP-th row, halved in workgroup memory), both
  // parameter gradients
  // (with `carry`, the gradient reaching x by another path, added to dx: a residual add's, see addLayerNorm)
  registerMultiOutput(FUSED_KERNELS.layerNormGradXStats, ({ x, gamma, dy, carry }, { eps }) => {
    const { rows } = rowsCols(x.shape);
    return {
      name: carry ? 'layer_norm_grad_x_stats_carry' : 'layer_norm_grad_x_stats',
      inputs: [['X', x], ['Gamma', gamma], ['Dy', dy], ...(carry ? [['Carry', carry] as [string, tf.TensorInfo]] : [])],
      outputs: [
        ['Dx', x.shape],
        ['Stats', [rows, 2]],
      ],
      ...perRow(
        x.shape,
        [['eps', 'f32', eps]],
        `
        ${ROW_STATS}
        Stats[row * 2] = mean;
        Stats[row * 2 + 1] = rstd;
        var meanG = 0.0;
        var meanGX = 0.0;
        for (var d = 0; d < uniforms.cols; d = d + 1) {
          let g = Dy[base + d] * Gamma[d];
          meanG = meanG + g;
          meanGX = meanGX + g * (X[base + d] - mean) * rstd;
        }
        meanG = meanG / f32(uniforms.cols);
        meanGX = meanGX / f32(uniforms.cols);
        for (var d = 0; d < uniforms.cols; d = d + 1) {
          let xhat = (X[base + d] - mean) * rstd;
          Dx[base + d] = rstd * (Dy[base + d] * Gamma[d] - meanG - xhat * meanGX)${carry ? ' + Carry[base + d]' : ''};
        }`,
      ),
    };
  });

  // a residual add and the LayerNorm after it, both outputs in one launch (the block's x + attn, then norm2)
  registerMultiOutput(FUSED_KERNELS.addLayerNorm, ({ x, r, gamma, beta }, { eps }) => {
    return {
      name: 'add_layer_norm',
      inputs: [
        ['A', x],
        ['R', r],
        ['Gamma', gamma],
        ['Beta', beta],
      ],
      outputs: [
        ['X', x.shape],
        ['Y', x.shape],
      ],
      ...perRow(
        x.shape,
        [['eps', 'f32', eps]],
        `
        for (var d = 0; d < uniforms.cols; d = d + 1) { X[row * uniforms.cols + d] = A[row * uniforms.cols + d] + R[row * uniforms.cols + d]; }
        ${ROW_STATS}
        for (var d = 0; d < uniforms.cols; d = d + 1) { Y[base + d] = (X[base + d] - mean) * rstd * Gamma[d] + Beta[d]; }`,
      ),
    };
  });

  registerMultiOutput(FUSED_KERNELS.layerNormGradParams, ({ x, dy, stats }) => {
    const { rows, cols } = rowsCols(x.shape);
    return {
      name: 'layer_norm_grad_params',
      inputs: [
        ['X', x],
        ['Dy', dy],
        ['Stats', stats],
      ],
      outputs: [
        ['DGamma', [cols]],
        ['DBeta', [cols]],
      ],
      threads: cols * WORKGROUP,
      uniforms: [
        ['rows', 'i32', rows],
        ['cols', 'i32', cols],
      ],
      declarations: workgroupPartials(['gamma', 'beta']),
      body: `
        let col = i32(workgroupId.x);
        let lane = i32(localIndex);
        var gamma = 0.0;
        var beta = 0.0;
        for (var r = lane; r < uniforms.rows; r = r + ${WORKGROUP}) {
          let i = r * uniforms.cols + col;
          gamma = gamma + Dy[i] * (X[i] - Stats[r * 2]) * Stats[r * 2 + 1];
          beta = beta + Dy[i];
        }
        ${sumOverWorkgroup({ gamma: 'DGamma[col]', beta: 'DBeta[col]' })}`,
    };
  });

  register(FUSED_KERNELS.gelu, ({ x }) =>
    elementwise('gelu', [['X', x]], [], '0.5 * X[index] * (1.0 + erfApprox(X[index] * 0.7071067811865476))'),
  );

  register(FUSED_KERNELS.geluGrad, ({ x, dy }) =>
    elementwise(
      'gelu_grad',
      [
        ['X', x],
        ['Dy', dy],
      ],
      [],
      'Dy[index] * (0.5 * (1.0 + erfApprox(X[index] * 0.7071067811865476)) + X[index] * exp(-0.5 * X[index] * X[index]) * 0.3989422804014327)',
    ),
  );

  // a query row: an online softmax over the keys (one pass), the values summed as it goes
  register(FUSED_KERNELS.attention, ({ qkv }, attrs) => {
    const [B, N, D3] = qkv.shape;
    return perHeadRow(
      'attention',
      [['QKV', qkv]],
      attrs,
      [B, N, D3 / 3],
      `
      var q : array<f32, HD>;
      var acc : array<f32, HD>;
      for (var d = 0; d < HD; d = d + 1) { q[d] = QKV[qAt + t * 3 * D + d]; }
      ${ONLINE_SOFTMAX}
      for (var d = 0; d < HD; d = d + 1) { result[dyAt + t * D + d] = acc[d] / total; }`,
    );
  });

  // a query row: its softmax again (logsumexp), dy.o, then dq = scale * sum_j p_j (dy.v_j - dy.o) k_j
  register(FUSED_KERNELS.attentionGradRows, ({ qkv, dy }, attrs) => {
    const [B, N, D3] = qkv.shape;
    const hd = D3 / 3 / attrs.numHeads;
    return perHeadRow(
      'attention_grad_rows',
      [
        ['QKV', qkv],
        ['Dy', dy],
      ],
      attrs,
      [B, attrs.numHeads, N, hd + 2],
      `
      var q : array<f32, HD>;
      var g : array<f32, HD>;
      var acc : array<f32, HD>;
      for (var d = 0; d < HD; d = d + 1) { q[d] = QKV[qAt + t * 3 * D + d]; g[d] = Dy[dyAt + t * D + d]; }
      ${ONLINE_SOFTMAX}
      let logSumExp = top + log(total);
      var dyDotO = 0.0;
      for (var d = 0; d < HD; d = d + 1) { dyDotO = dyDotO + g[d] * acc[d] / total; }
      var dq : array<f32, HD>;
      for (var j = 0; j < N; j = j + 1) {
        var s = 0.0;
        var dp = 0.0;
        for (var d = 0; d < HD; d = d + 1) {
          s = s + q[d] * QKV[kAt + j * 3 * D + d];
          dp = dp + g[d] * QKV[vAt + j * 3 * D + d];
        }
        let ds = exp(s * uniforms.scale - logSumExp) * (dp - dyDotO);
        for (var d = 0; d < HD; d = d + 1) { dq[d] = dq[d] + ds * QKV[kAt + j * 3 * D + d]; }
      }
      let row = index * (HD + 2);
      for (var d = 0; d < HD; d = d + 1) { result[row + d] = uniforms.scale * dq[d]; }
      result[row + HD] = logSumExp;
      result[row + HD + 1] = dyDotO;`,
    );
  });

  // a key row: its column of probabilities from the rows' logsumexp, dv = sum_i p_i dy_i,
  // dk = scale * sum_i p_i (dy_i.v - dy_i.o_i) q_i; dq copied from the rows, so dqkv is one tensor
  register(FUSED_KERNELS.attentionGradQkv, ({ qkv, dy, rows }, attrs) =>
    perHeadRow(
      'attention_grad_qkv',
      [
        ['QKV', qkv],
        ['Dy', dy],
        ['Rows', rows],
      ],
      attrs,
      qkv.shape,
      `
      var k : array<f32, HD>;
      var v : array<f32, HD>;
      var dk : array<f32, HD>;
      var dv : array<f32, HD>;
      for (var d = 0; d < HD; d = d + 1) { k[d] = QKV[kAt + t * 3 * D + d]; v[d] = QKV[vAt + t * 3 * D + d]; }
      let rowsAt = (index - t) * (HD + 2); // this image and head's first query row
      for (var i = 0; i < N; i = i + 1) {
        var s = 0.0;
        var dp = 0.0;
        for (var d = 0; d < HD; d = d + 1) {
          s = s + QKV[qAt + i * 3 * D + d] * k[d];
          dp = dp + Dy[dyAt + i * D + d] * v[d];
        }
        let row = rowsAt + i * (HD + 2);
        let p = exp(s * uniforms.scale - Rows[row + HD]);
        let ds = p * (dp - Rows[row + HD + 1]);
        for (var d = 0; d < HD; d = d + 1) {
          dv[d] = dv[d] + p * Dy[dyAt + i * D + d];
          dk[d] = dk[d] + ds * QKV[qAt + i * 3 * D + d];
        }
      }
      for (var d = 0; d < HD; d = d + 1) {
        result[qAt + t * 3 * D + d] = Rows[index * (HD + 2) + d];
        result[kAt + t * 3 * D + d] = uniforms.scale * dk[d];
        result[vAt + t * 3 * D + d] = dv[d];
      }`,
    ),
  );

  // a bias gradient: one workgroup per column, its threads sum every WORKGROUP-th row, then halve
  // the partial sums in workgroup memory (tfjs' column sum transposes g first: a second launch)
  register(FUSED_KERNELS.sumRows, ({ g }) => {
    const { rows, cols } = rowsCols(g.shape);
    return {
      name: 'sum_rows',
      inputs: [['G', g]],
      outputShape: [cols],
      threads: cols * WORKGROUP,
      uniforms: [
        ['rows', 'i32', rows],
        ['cols', 'i32', cols],
      ],
      declarations: workgroupPartials(['sum']),
      body: `
      let col = i32(workgroupId.x);
      let lane = i32(localIndex);
      var sum = 0.0;
      for (var r = lane; r < uniforms.rows; r = r + ${WORKGROUP}) { sum = sum + G[r * uniforms.cols + col]; }
      ${sumOverWorkgroup({ sum: 'result[col]' })}`,
    };
  });

  // the loss: each element's smooth L1, then tfjs' mean of them (two launches, the first one's output freed)
  tf.registerKernel({
    kernelName: FUSED_KERNELS.smoothL1Mean,
    backendName: 'webgpu',
    kernelFunc: ({ inputs: { pred, target }, backend }) => {
      const gpu = backend as unknown as WebGpuBackendLike & { disposeData(dataId: object): void };
      const count = size(pred!.shape);
      const perElement = launch(gpu, {
        name: 'smooth_l1',
        inputs: [
          ['Pred', pred!],
          ['Target', target!],
        ],
        outputShape: pred!.shape,
        threads: count,
        uniforms: [['count', 'i32', count]],
        body: `
          if (index >= uniforms.count) { return; }
          let a = abs(Pred[index] - Target[index]);
          let q = min(a, 1.0);
          result[index] = 0.5 * q * q + (a - q);`,
      });
      const axis = perElement.shape.map((_, i) => i);
      const mean = tf.getKernel('Mean', 'webgpu')!.kernelFunc({ inputs: { x: perElement }, backend, attrs: { axis, keepDims: false } });
      gpu.disposeData(perElement.dataId);
      return mean;
    },
  });

  register(FUSED_KERNELS.smoothL1Grad, ({ pred, target, dy }, { scale }) =>
    elementwise(
      'smooth_l1_grad',
      [
        ['Pred', pred],
        ['Target', target],
        ['Dy', dy],
      ],
      [['scale', 'f32', scale]],
      'uniforms.scale * Dy[0] * clamp(Pred[index] - Target[index], -1.0, 1.0)',
    ),
  );
}
