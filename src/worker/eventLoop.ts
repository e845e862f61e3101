// A macrotask boundary without setTimeout's 4 ms clamp: the worker's messages (Pause, Step, Reset)
// get in between two steps, or two evaluation slices, even when the backend never yields itself
// (WASM and CPU resolve their readbacks as microtasks).
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => resolve();
    channel.port2.postMessage(null);
  });
}
