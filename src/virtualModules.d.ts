// Modules that Vite plugins make at build time (tools/).
declare module 'virtual:mnist-digits' {
  export const side: number;
  export const perClass: number;
  export const base64: string; // [10 * perClass, side, side] grey bytes, digit-major
}
