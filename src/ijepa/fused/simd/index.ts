// AssemblyScript, compiled to WebAssembly SIMD at build time (tools/simdPlugin.ts): kernels for tfjs'
// WASM backend where its own are scalar loops or chains of small kernels (./index.ts of ../ says which).
// They read and write tfjs' own heap (the module imports its memory): pointers are byte offsets into
// it, sizes are element counts, float32 throughout. No allocation, no static data: nothing of tfjs'
// memory is touched but each kernel's output.
export { matMulDots, matMulRows } from './matMul';
export { adamWParam, gelu, geluGrad, lerp, transpose } from './elementwise';
export { matMulTN, sumRows } from './linearGrad';
export { gatherRows, tileRows } from './copies';
export { layerNorm, layerNormGradParam, layerNormGradX, layerNormStats } from './rows';
