// The fused kernels (./index.ts) as WGSL programs for tfjs' WebGPU backend (run through
// ./webgpuProgram.ts). Each program
// is a plain object that the backend compiles and launches (runWebGPUProgram): tfjs writes the
// shader's preamble (bindings: `result` for the output, one read-only array per input name, and
// `uniforms`), we write `main`. Row kernels (LayerNorm, softmax) give one thread a whole row, which
// is enough parallelism at these widths (rows = images x tokens) and needs no shared memory.
// Per-step numbers (learning rate, momentum) are uniforms, so every shader compiles once per run.
import { FUSED_KERNELS, rowsCols } from '.';
import { elementwise, register, rowwise } from './webgpuProgram';

// Row statistics in WGSL: mean and 1/sqrt(var + eps) of row `row` of X (two passes, as the CPU).
const ROW_STATS = `
  let base = row * uniforms.cols;
  var mean = 0.0;
  for (var d = 0; d < uniforms.cols; d = d + 1) { mean = mean + X[base + d]; }
  mean = mean / f32(uniforms.cols);
  var variance = 0.0;
  for (var d = 0; d < uniforms.cols; d = d + 1) { let c = X[base + d] - mean; variance = variance + c * c; }
  let rstd = inverseSqrt(variance / f32(uniforms.cols) + uniforms.eps);`;

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

  register(FUSED_KERNELS.layerNormStats, ({ x }, { eps }) =>
    rowwise(
      'layer_norm_stats',
      [['X', x]],
      [['eps', 'f32', eps]],
      `
        ${ROW_STATS}
        result[row * 2] = mean;
        result[row * 2 + 1] = rstd;`,
      [rowsCols(x.shape).rows, 2],
    ),
  );

  register(FUSED_KERNELS.layerNormGradX, ({ x, gamma, dy, stats }) =>
    rowwise(
      'layer_norm_grad_x',
      [
        ['X', x],
        ['Gamma', gamma],
        ['Dy', dy],
        ['Stats', stats],
      ],
      [],
      `
        let base = row * uniforms.cols;
        let mean = Stats[row * 2];
        let rstd = Stats[row * 2 + 1];
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
          result[base + d] = rstd * (Dy[base + d] * Gamma[d] - meanG - xhat * meanGX);
        }`,
    ),
  );

  register(FUSED_KERNELS.layerNormGradParam, ({ x, dy, stats }, { which }) => {
    const { rows, cols } = rowsCols(x.shape);
    return {
      name: 'layer_norm_grad_param',
      inputs: [
        ['X', x],
        ['Dy', dy],
        ['Stats', stats],
      ],
      outputShape: [cols],
      threads: cols,
      uniforms: [
        ['rows', 'i32', rows],
        ['cols', 'i32', cols],
        ['which', 'i32', which],
      ],
      body: `
        let col = index;
        if (col >= uniforms.cols) { return; }
        var acc = 0.0;
        for (var r = 0; r < uniforms.rows; r = r + 1) {
          let i = r * uniforms.cols + col;
          if (uniforms.which == 0) { acc = acc + Dy[i] * (X[i] - Stats[r * 2]) * Stats[r * 2 + 1]; } else { acc = acc + Dy[i]; }
        }
        result[col] = acc;`,
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

  register(FUSED_KERNELS.scaledSoftmax, ({ logits }, { scale }) =>
    rowwise(
      'scaled_softmax',
      [['Logits', logits]],
      [['scale', 'f32', scale]],
      `
        let base = row * uniforms.cols;
        var top = -3.0e38;
        for (var d = 0; d < uniforms.cols; d = d + 1) { top = max(top, uniforms.scale * Logits[base + d]); }
        var total = 0.0;
        for (var d = 0; d < uniforms.cols; d = d + 1) {
          let e = exp(uniforms.scale * Logits[base + d] - top);
          result[base + d] = e;
          total = total + e;
        }
        for (var d = 0; d < uniforms.cols; d = d + 1) { result[base + d] = result[base + d] / total; }`,
    ),
  );

  register(FUSED_KERNELS.scaledSoftmaxGrad, ({ y, dy }, { scale }) =>
    rowwise(
      'scaled_softmax_grad',
      [
        ['Y', y],
        ['Dy', dy],
      ],
      [['scale', 'f32', scale]],
      `
        let base = row * uniforms.cols;
        var dot = 0.0;
        for (var d = 0; d < uniforms.cols; d = d + 1) { dot = dot + Dy[base + d] * Y[base + d]; }
        for (var d = 0; d < uniforms.cols; d = d + 1) { result[base + d] = uniforms.scale * Y[base + d] * (Dy[base + d] - dot); }`,
    ),
  );

  register(FUSED_KERNELS.lerp, ({ a, b }, { keep, square }) =>
    elementwise(
      'lerp',
      [
        ['A', a],
        ['B', b],
      ],
      [
        ['keep', 'f32', keep],
        ['square', 'i32', square],
      ],
      'uniforms.keep * A[index] + (1.0 - uniforms.keep) * select(B[index], B[index] * B[index], uniforms.square == 1)',
    ),
  );

  register(FUSED_KERNELS.adamWParam, ({ param, m, v }, { offset, decay, stepSize, sqrtBiasCorrection2, eps }) =>
    elementwise(
      'adamw_param',
      [
        ['Param', param],
        ['M', m],
        ['V', v],
      ],
      [
        ['offset', 'i32', offset],
        ['decay', 'f32', decay],
        ['stepSize', 'f32', stepSize],
        ['sqrtBc2', 'f32', sqrtBiasCorrection2],
        ['eps', 'f32', eps],
      ],
      'Param[index] * uniforms.decay - uniforms.stepSize * M[uniforms.offset + index] / (sqrt(V[uniforms.offset + index]) / uniforms.sqrtBc2 + uniforms.eps)',
    ),
  );
}
