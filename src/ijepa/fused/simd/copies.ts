// AssemblyScript (see ./index.ts): whole rows copied where tfjs' WASM kernels copy value by value
// (GatherV2 and Tile: 25-45 ns a value; docs/TFJS_WEBGPU_NOTES.md).

/** out[k] = x[rows[k]] for `count` rows of `cols` values (rows: int32 indices). */
export function gatherRows(x: usize, rows: usize, out: usize, count: i32, cols: i32): void {
  const bytes = <usize>cols * 4;
  for (let k = 0; k < count; k++) memory.copy(out + <usize>k * bytes, x + <usize>load<i32>(rows + <usize>k * 4) * bytes, bytes);
}

/** out = x repeated `times` times, one copy after the other (x has `size` values). */
export function tileRows(x: usize, out: usize, size: i32, times: i32): void {
  const bytes = <usize>size * 4;
  for (let t = 0; t < times; t++) memory.copy(out + <usize>t * bytes, x, bytes);
}
