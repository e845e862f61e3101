// The WebGPU adapter this browser offers, read without tfjs (the page asks too, to order the startup
// measurement), and whether it is a software fallback such as Chromium's SwiftShader.

interface AdapterLike {
  info?: { vendor?: string; architecture?: string; device?: string; description?: string; isFallbackAdapter?: boolean };
  isFallbackAdapter?: boolean;
}

export interface WebGpuAdapter {
  adapter: string;
  isSoftware: boolean;
}

export const SOFTWARE_RENDERER = /swiftshader|llvmpipe|lavapipe|software/i;

/** The WebGPU adapter this browser offers (null: none), without creating a device. */
export async function describeWebGpuAdapter(): Promise<WebGpuAdapter | null> {
  const gpu = (navigator as unknown as { gpu?: { requestAdapter(): Promise<AdapterLike | null> } }).gpu;
  if (!gpu) return null;
  const adapter = await gpu.requestAdapter().catch(() => null);
  if (!adapter) return null;
  const info = adapter.info ?? {};
  const isSoftware = Boolean(info.isFallbackAdapter ?? adapter.isFallbackAdapter) || SOFTWARE_RENDERER.test(`${info.architecture} ${info.description} ${info.device}`);
  const name = [info.vendor, info.architecture, info.device].filter(Boolean).join(' ') || info.description || 'unknown adapter';
  return { adapter: isSoftware ? `${name} (software)` : name, isSoftware };
}
