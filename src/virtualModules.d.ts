// Modules that Vite plugins make at build time (tools/).
declare module 'virtual:mnist-digits' {
  export const side: number;
  export const perClass: number;
  export const base64: string; // [10 * perClass, side, side] grey bytes, digit-major
}
declare module 'virtual:simd-kernels' {
  export const shared: string; // base64 WebAssembly binary that imports a shared memory
  export const unshared: string; // the same, importing a plain memory
}
