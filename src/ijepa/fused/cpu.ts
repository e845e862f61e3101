// The fused kernels (./index.ts) as plain JavaScript loops, registered for tfjs' CPU backend. They make
// the unit tests run the same fused step as the GPU (and check every gradient against the plain ops).
// On WASM (./wasm.ts) they run in SIMD, and these loops where the SIMD module cannot start (`jsKernel`).
import { erf } from './erf';
import { FUSED_KERNELS, rowsCols, type FusedKernelName } from '.';
import * as tf from '../tf';

/** How a backend stores a tensor's values: in a JS array (CPU) or in the WASM module's heap. */
interface ValueAccess {
  read(backend: unknown, info: tf.TensorInfo): Float32Array;
  write(backend: unknown, shape: number[], out: Float32Array): tf.TensorInfo;
}

interface CpuBackend {
  data: { get(dataId: object): { values: tf.backend_util.BackendValues } };
  makeTensorInfo(shape: number[], dtype: tf.DataType, values: Float32Array): tf.TensorInfo;
}

interface WasmBackend {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): tf.backend_util.TypedArray;
}

export type JsBackendName = 'cpu' | 'wasm';
const BACKENDS: Record<JsBackendName, ValueAccess> = {
  cpu: {
    read: (backend, info) => (backend as CpuBackend).data.get(info.dataId).values as Float32Array,
    write: (backend, shape, out) => (backend as CpuBackend).makeTensorInfo(shape, 'float32', out),
  },
  wasm: {
    // a view of the heap: only read while the kernel computes, before its output is allocated (an
    // allocation may grow the heap, which detaches earlier views)
    read: (backend, info) => (backend as WasmBackend).typedArrayFromHeap(info) as Float32Array,
    write: (backend, shape, out) => {
      const info = (backend as WasmBackend).makeOutput(shape, 'float32');
      (backend as WasmBackend).typedArrayFromHeap(info).set(out);
      return info;
    },
  },
};

type Inputs = Record<string, tf.TensorInfo>;
type Compute = (
  values: Record<string, Float32Array>,
  shapes: Record<string, number[]>,
  attrs: Record<string, number>,
) => { shape: number[]; out: Float32Array };

const COMPUTE = new Map<FusedKernelName, Compute>();

/** A kernel function that runs `kernelName`'s loops on `backendName`'s tensors. */
export function jsKernel(kernelName: FusedKernelName, backendName: JsBackendName): tf.KernelFunc {
  const compute = COMPUTE.get(kernelName)!;
  const access = BACKENDS[backendName];
  return ({ inputs, backend, attrs }) => {
    const values: Record<string, Float32Array> = {};
    const shapes: Record<string, number[]> = {};
    for (const [name, info] of Object.entries(inputs as Inputs)) {
      values[name] = access.read(backend, info);
      shapes[name] = info.shape;
    }
    const { shape, out } = compute(values, shapes, attrs as Record<string, number>);
    return access.write(backend, shape, out);
  };
}

function register(kernelName: FusedKernelName, compute: Compute, backends: JsBackendName[] = ['cpu']): void {
  COMPUTE.set(kernelName, compute);
  for (const backendName of backends) tf.registerKernel({ kernelName, backendName, kernelFunc: jsKernel(kernelName, backendName) });
}

function rowStats(x: Float32Array, r: number, cols: number, eps: number): [number, number] {
  let mean = 0;
  for (let d = 0; d < cols; d++) mean += x[r * cols + d];
  mean /= cols;
  let variance = 0;
  for (let d = 0; d < cols; d++) variance += (x[r * cols + d] - mean) ** 2;
  return [mean, 1 / Math.sqrt(variance / cols + eps)];
}

/** Where head `h`'s q, k and v of token `t` of image `b` start in qkv [B, N, 3D] (channels [3, H, hd]). */
function qkvOffsets(shape: number[], numHeads: number) {
  const [, N, D3] = shape;
  const D = D3 / 3;
  const hd = D / numHeads;
  const at = (b: number, t: number, h: number) => (b * N + t) * D3 + h * hd;
  const k = (b: number, t: number, h: number) => at(b, t, h) + D;
  /** Writes query row i's softmax over the keys into p (its N probabilities); returns its logsumexp. */
  const probabilities = (qkv: Float32Array, p: Float32Array, b: number, i: number, h: number, scale: number) => {
    let max = -Infinity;
    for (let j = 0; j < N; j++) max = Math.max(max, (p[j] = scale * dot(qkv, at(b, i, h), qkv, k(b, j, h), hd)));
    let sum = 0;
    for (let j = 0; j < N; j++) sum += p[j] = Math.exp(p[j] - max);
    for (let j = 0; j < N; j++) p[j] /= sum;
    return max + Math.log(sum);
  };
  return { N, D, hd, q: at, k, v: (b: number, t: number, h: number) => at(b, t, h) + 2 * D, probabilities };
}

const dot = (a: Float32Array, i: number, b: Float32Array, j: number, n: number) => {
  let s = 0;
  for (let d = 0; d < n; d++) s += a[i + d] * b[j + d];
  return s;
};

/** The fused kernels as JavaScript loops on the CPU backend (and the WASM fallback: ./wasm.ts).
 *  Called once, by ./register.ts. */
export function registerCpuKernels(): void {
  register(FUSED_KERNELS.layerNorm, ({ x, gamma, beta }, shapes, { eps }) => {
    const { rows, cols } = rowsCols(shapes.x);
    const out = new Float32Array(x.length);
    for (let r = 0; r < rows; r++) {
      const [mean, rstd] = rowStats(x, r, cols, eps);
      for (let d = 0; d < cols; d++) out[r * cols + d] = (x[r * cols + d] - mean) * rstd * gamma[d] + beta[d];
    }
    return { shape: shapes.x, out };
  });

  register(FUSED_KERNELS.layerNormStats, ({ x }, shapes, { eps }) => {
    const { rows, cols } = rowsCols(shapes.x);
    const out = new Float32Array(rows * 2);
    for (let r = 0; r < rows; r++) out.set(rowStats(x, r, cols, eps), r * 2);
    return { shape: [rows, 2], out };
  });

  // dx = rstd * (g - mean(g) - xhat * mean(g * xhat)), with g = dy * gamma
  register(FUSED_KERNELS.layerNormGradX, ({ x, gamma, dy, stats }, shapes) => {
    const { rows, cols } = rowsCols(shapes.x);
    const out = new Float32Array(x.length);
    for (let r = 0; r < rows; r++) {
      const [mean, rstd] = [stats[r * 2], stats[r * 2 + 1]];
      let meanG = 0,
        meanGX = 0;
      for (let d = 0; d < cols; d++) {
        const g = dy[r * cols + d] * gamma[d];
        meanG += g;
        meanGX += g * (x[r * cols + d] - mean) * rstd;
      }
      meanG /= cols;
      meanGX /= cols;
      for (let d = 0; d < cols; d++) {
        const xhat = (x[r * cols + d] - mean) * rstd;
        out[r * cols + d] = rstd * (dy[r * cols + d] * gamma[d] - meanG - xhat * meanGX);
      }
    }
    return { shape: shapes.x, out };
  });

  register(FUSED_KERNELS.layerNormGradParam, ({ x, dy, stats }, shapes, { which }) => {
    const { rows, cols } = rowsCols(shapes.x);
    const out = new Float32Array(cols);
    for (let r = 0; r < rows; r++) {
      for (let d = 0; d < cols; d++) out[d] += dy[r * cols + d] * (which === 0 ? (x[r * cols + d] - stats[r * 2]) * stats[r * 2 + 1] : 1);
    }
    return { shape: [cols], out };
  });

  register(FUSED_KERNELS.gelu, ({ x }, shapes) => ({ shape: shapes.x, out: x.map((v) => 0.5 * v * (1 + erf(v * Math.SQRT1_2))) }));

  register(FUSED_KERNELS.geluGrad, ({ x, dy }, shapes) => ({
    shape: shapes.x,
    out: x.map((v, i) => dy[i] * (0.5 * (1 + erf(v * Math.SQRT1_2)) + (v * Math.exp(-0.5 * v * v)) / Math.sqrt(2 * Math.PI))),
  }));

  // one query row at a time: its scores, their softmax, the weighted sum of the values
  register(FUSED_KERNELS.attention, ({ qkv }, shapes, { numHeads, scale }) => {
    const [B] = shapes.qkv;
    const { N, D, hd, v, probabilities } = qkvOffsets(shapes.qkv, numHeads);
    const out = new Float32Array(B * N * D);
    const p = new Float32Array(N);
    for (let b = 0; b < B; b++)
      for (let h = 0; h < numHeads; h++)
        for (let i = 0; i < N; i++) {
          probabilities(qkv, p, b, i, h, scale);
          const o = (b * N + i) * D + h * hd;
          for (let j = 0; j < N; j++) for (let d = 0; d < hd; d++) out[o + d] += p[j] * qkv[v(b, j, h) + d];
        }
    return { shape: [B, N, D], out };
  });

  // per query row i: dq_i = scale * sum_j p_ij (dy_i.v_j - dy_i.o_i) k_j, with logsumexp_i and dy_i.o_i
  register(FUSED_KERNELS.attentionGradRows, ({ qkv, dy }, shapes, { numHeads, scale }) => {
    const [B] = shapes.qkv;
    const { N, D, hd, k, v, probabilities } = qkvOffsets(shapes.qkv, numHeads);
    const width = hd + 2;
    const out = new Float32Array(B * numHeads * N * width);
    const p = new Float32Array(N);
    const dp = new Float32Array(N); // dy_i . v_j
    for (let b = 0; b < B; b++)
      for (let h = 0; h < numHeads; h++)
        for (let i = 0; i < N; i++) {
          const logSumExp = probabilities(qkv, p, b, i, h, scale);
          const g = (b * N + i) * D + h * hd;
          let dyDotO = 0;
          for (let j = 0; j < N; j++) dyDotO += p[j] * (dp[j] = dot(dy, g, qkv, v(b, j, h), hd));
          const row = ((b * numHeads + h) * N + i) * width;
          for (let j = 0; j < N; j++) {
            const ds = p[j] * (dp[j] - dyDotO);
            for (let d = 0; d < hd; d++) out[row + d] += scale * ds * qkv[k(b, j, h) + d];
          }
          out[row + hd] = logSumExp;
          out[row + hd + 1] = dyDotO;
        }
    return { shape: [B, numHeads, N, width], out };
  });

  // per key row j: dv_j = sum_i p_ij dy_i, dk_j = scale * sum_i p_ij (dy_i.v_j - dy_i.o_i) q_i; dq copied
  register(FUSED_KERNELS.attentionGradQkv, ({ qkv, dy, rows }, shapes, { numHeads, scale }) => {
    const [B] = shapes.qkv;
    const { N, D, hd, q, k, v } = qkvOffsets(shapes.qkv, numHeads);
    const width = hd + 2;
    const out = new Float32Array(qkv.length);
    for (let b = 0; b < B; b++)
      for (let h = 0; h < numHeads; h++)
        for (let j = 0; j < N; j++) {
          for (let i = 0; i < N; i++) {
            const row = ((b * numHeads + h) * N + i) * width;
            const p = Math.exp(scale * dot(qkv, q(b, i, h), qkv, k(b, j, h), hd) - rows[row + hd]);
            const g = (b * N + i) * D + h * hd;
            const ds = p * (dot(dy, g, qkv, v(b, j, h), hd) - rows[row + hd + 1]);
            for (let d = 0; d < hd; d++) {
              out[v(b, j, h) + d] += p * dy[g + d];
              out[k(b, j, h) + d] += scale * ds * qkv[q(b, i, h) + d];
            }
          }
          out.set(rows.subarray(((b * numHeads + h) * N + j) * width, ((b * numHeads + h) * N + j) * width + hd), q(b, j, h));
        }
    return { shape: shapes.qkv, out };
  });

  register(FUSED_KERNELS.smoothL1Mean, ({ pred, target }) => {
    let sum = 0;
    for (let i = 0; i < pred.length; i++) {
      const a = Math.abs(pred[i] - target[i]);
      const q = Math.min(a, 1);
      sum += 0.5 * q * q + (a - q);
    }
    return { shape: [], out: Float32Array.of(sum / pred.length) };
  });

  register(FUSED_KERNELS.smoothL1Grad, ({ pred, target, dy }, shapes, { scale }) => ({
    shape: shapes.pred,
    out: pred.map((p, i) => scale * dy[0] * Math.min(Math.max(p - target[i], -1), 1)),
  }));

  register(FUSED_KERNELS.lerp, ({ a, b }, shapes, { keep, square }) => ({
    shape: shapes.a,
    out: a.map((v, i) => keep * v + (1 - keep) * (square ? b[i] * b[i] : b[i])),
  }));

  // the linear layer's parameter gradients: WASM's only (its fallback), where tfjs' own are slow
  register(
    FUSED_KERNELS.matMulTN,
    ({ x, g }, shapes) => {
      const [rows, m] = shapes.x;
      const n = shapes.g[1];
      const out = new Float32Array(m * n);
      for (let r = 0; r < rows; r++) for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) out[i * n + j] += x[r * m + i] * g[r * n + j];
      return { shape: [m, n], out };
    },
    [],
  );
  register(
    FUSED_KERNELS.sumRows,
    ({ g }, shapes) => {
      const [rows, n] = shapes.g;
      const out = new Float32Array(n);
      for (let r = 0; r < rows; r++) for (let j = 0; j < n; j++) out[j] += g[r * n + j];
      return { shape: [n], out };
    },
    [],
  );

  // one parameter a call (WASM's fallback too: ./wasm.ts), reading its slice of the flat moments in place
  register(FUSED_KERNELS.adamWParam, ({ param, m, v }, shapes, { offset, decay, stepSize, sqrtBiasCorrection2, eps }) => ({
    shape: shapes.param,
    out: param.map((p, i) => p * decay - (stepSize * m[offset + i]) / (Math.sqrt(v[offset + i]) / sqrtBiasCorrection2 + eps)),
  }));
}
