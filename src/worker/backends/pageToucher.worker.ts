// Writes one byte in every 4 KiB page of a range of the WASM backend's shared memory, so that the
// operating system maps those pages now and not in the middle of the first training step
// (./heapWarmer.ts). The range is malloc'd for it and freed once it answers.
const PAGE = 4096;

self.onmessage = (event: MessageEvent<{ memory: WebAssembly.Memory; pointer: number; bytes: number }>) => {
  const { memory, pointer, bytes } = event.data;
  const range = new Uint8Array(memory.buffer, pointer, bytes);
  for (let offset = 0; offset < bytes; offset += PAGE) range[offset] = 0;
  self.postMessage('touched');
};
