// AssemblyScript (see ./index.ts): LayerNorm with its gradients, SIMD along a row.

/** Sum of the four lanes. */
export function sumLanes(v: v128): f32 {
  return f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1) + f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3);
}

function rowSum(row: usize, cols: i32): f32 {
  const cols4 = cols & ~3;
  let acc = f32x4.splat(0);
  for (let d = 0; d < cols4; d += 4) acc = f32x4.add(acc, v128.load(row + <usize>d * 4));
  let sum = sumLanes(acc);
  for (let d = cols4; d < cols; d++) sum += load<f32>(row + <usize>d * 4);
  return sum;
}

function rowCentredSquares(row: usize, cols: i32, mean: f32): f32 {
  const cols4 = cols & ~3;
  const meanV = f32x4.splat(mean);
  let acc = f32x4.splat(0);
  for (let d = 0; d < cols4; d += 4) {
    const c = f32x4.sub(v128.load(row + <usize>d * 4), meanV);
    acc = f32x4.add(acc, f32x4.mul(c, c));
  }
  let sum = sumLanes(acc);
  for (let d = cols4; d < cols; d++) {
    const c = load<f32>(row + <usize>d * 4) - mean;
    sum += c * c;
  }
  return sum;
}

/** (x - mean) * rstd of four values at `at`. */
function normalised(at: usize, meanV: v128, rstdV: v128): v128 {
  return f32x4.mul(f32x4.sub(v128.load(at), meanV), rstdV);
}

/** Mean and 1/sqrt(var + eps) of every row into stats [rows, 2] (two passes, as the CPU kernels). */
export function layerNormStats(x: usize, stats: usize, rows: i32, cols: i32, eps: f32): void {
  for (let r = 0; r < rows; r++) {
    const row = x + <usize>(r * cols) * 4;
    const mean = rowSum(row, cols) / <f32>cols;
    const rstd: f32 = 1 / Mathf.sqrt(rowCentredSquares(row, cols, mean) / <f32>cols + eps);
    store<f32>(stats + <usize>r * 8, mean);
    store<f32>(stats + <usize>r * 8, rstd, 4);
  }
}

/** out = (x - mean) * rstd * gamma + beta, per row. */
export function layerNorm(x: usize, gamma: usize, beta: usize, out: usize, rows: i32, cols: i32, eps: f32): void {
  const cols4 = cols & ~3;
  for (let r = 0; r < rows; r++) {
    const row = <usize>(r * cols) * 4;
    const mean = rowSum(x + row, cols) / <f32>cols;
    const rstd: f32 = 1 / Mathf.sqrt(rowCentredSquares(x + row, cols, mean) / <f32>cols + eps);
    const meanV = f32x4.splat(mean);
    const rstdV = f32x4.splat(rstd);
    for (let d = 0; d < cols4; d += 4) {
      const at = <usize>d * 4;
      const normed = normalised(x + row + at, meanV, rstdV);
      v128.store(out + row + at, f32x4.add(f32x4.mul(normed, v128.load(gamma + at)), v128.load(beta + at)));
    }
    for (let d = cols4; d < cols; d++) {
      const at = <usize>d * 4;
      store<f32>(out + row + at, (load<f32>(x + row + at) - mean) * rstd * load<f32>(gamma + at) + load<f32>(beta + at));
    }
  }
}

/** dx = rstd * (g - mean(g) - xhat * mean(g * xhat)), with g = dy * gamma, per row. */
export function layerNormGradX(x: usize, gamma: usize, dy: usize, stats: usize, out: usize, rows: i32, cols: i32): void {
  const cols4 = cols & ~3;
  for (let r = 0; r < rows; r++) {
    const row = <usize>(r * cols) * 4;
    const mean = load<f32>(stats + <usize>r * 8);
    const rstd = load<f32>(stats + <usize>r * 8, 4);
    const meanV = f32x4.splat(mean);
    const rstdV = f32x4.splat(rstd);
    let accG = f32x4.splat(0);
    let accGX = f32x4.splat(0);
    for (let d = 0; d < cols4; d += 4) {
      const at = <usize>d * 4;
      const g = f32x4.mul(v128.load(dy + row + at), v128.load(gamma + at));
      const xhat = normalised(x + row + at, meanV, rstdV);
      accG = f32x4.add(accG, g);
      accGX = f32x4.add(accGX, f32x4.mul(g, xhat));
    }
    let sumG = sumLanes(accG);
    let sumGX = sumLanes(accGX);
    for (let d = cols4; d < cols; d++) {
      const at = <usize>d * 4;
      const g = load<f32>(dy + row + at) * load<f32>(gamma + at);
      sumG += g;
      sumGX += g * (load<f32>(x + row + at) - mean) * rstd;
    }
    const meanG = sumG / <f32>cols;
    const meanGX = sumGX / <f32>cols;
    const meanGV = f32x4.splat(meanG);
    const meanGXV = f32x4.splat(meanGX);
    for (let d = 0; d < cols4; d += 4) {
      const at = <usize>d * 4;
      const g = f32x4.mul(v128.load(dy + row + at), v128.load(gamma + at));
      const xhat = normalised(x + row + at, meanV, rstdV);
      v128.store(out + row + at, f32x4.mul(rstdV, f32x4.sub(f32x4.sub(g, meanGV), f32x4.mul(xhat, meanGXV))));
    }
    for (let d = cols4; d < cols; d++) {
      const at = <usize>d * 4;
      const g = load<f32>(dy + row + at) * load<f32>(gamma + at);
      const xhat = (load<f32>(x + row + at) - mean) * rstd;
      store<f32>(out + row + at, rstd * (g - meanG - xhat * meanGX));
    }
  }
}

/** The gradient of gamma (which 0: sum over rows of dy * xhat) or beta (1: of dy), into out [cols]. */
export function layerNormGradParam(x: usize, dy: usize, stats: usize, out: usize, rows: i32, cols: i32, which: i32): void {
  const cols4 = cols & ~3;
  for (let d = 0; d < cols; d++) store<f32>(out + <usize>d * 4, 0);
  for (let r = 0; r < rows; r++) {
    const row = <usize>(r * cols) * 4;
    const mean = load<f32>(stats + <usize>r * 8);
    const rstd = load<f32>(stats + <usize>r * 8, 4);
    const meanV = f32x4.splat(mean);
    const rstdV = f32x4.splat(rstd);
    for (let d = 0; d < cols4; d += 4) {
      const at = <usize>d * 4;
      const g = v128.load(dy + row + at);
      const term = which == 0 ? f32x4.mul(g, normalised(x + row + at, meanV, rstdV)) : g;
      v128.store(out + at, f32x4.add(v128.load(out + at), term));
    }
    for (let d = cols4; d < cols; d++) {
      const at = <usize>d * 4;
      const g = load<f32>(dy + row + at);
      store<f32>(out + at, load<f32>(out + at) + (which == 0 ? g * (load<f32>(x + row + at) - mean) * rstd : g));
    }
  }
}
