// The GPUs this browser offers, read without tfjs (the page asks too, to order the startup
// measurement): the WebGPU adapter and the WebGL renderer, and whether each is a software fallback
// such as Chromium's SwiftShader.

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
  const isSoftware =
    Boolean(info.isFallbackAdapter ?? adapter.isFallbackAdapter) ||
    SOFTWARE_RENDERER.test(`${info.architecture} ${info.description} ${info.device}`);
  const name = [info.vendor, info.architecture, info.device].filter(Boolean).join(' ') || info.description || 'unknown adapter';
  return { adapter: isSoftware ? `${name} (software)` : name, isSoftware };
}

/** The WebGPU adapter a trainer reports: the page's description from load time when it has one and
 *  WebGPU is not the backend being started, else the browser's answer now. (Asked again right after
 *  the startup measurement's WebGPU trial, the browser answers only when its GPU process is free:
 *  0.8-1.1 s of a first visit here, against 0.05 s on a return visit.) */
export async function knownOrDescribedAdapter(
  known: WebGpuAdapter | null | undefined,
  startingWebGpu: boolean,
): Promise<WebGpuAdapter | null> {
  return known !== undefined && !startingWebGpu ? known : describeWebGpuAdapter();
}

/** The renderer behind a WebGL context ("SwiftShader" is Chromium's software GL). */
export function describeWebGlRenderer(gl: WebGLRenderingContext | WebGL2RenderingContext): WebGpuAdapter {
  const ext = gl.getExtension('WEBGL_debug_renderer_info');
  const renderer = String((ext && gl.getParameter(ext.UNMASKED_RENDERER_WEBGL)) || 'WebGL');
  const isSoftware = SOFTWARE_RENDERER.test(renderer);
  return { adapter: isSoftware ? `${renderer} (software)` : renderer, isSoftware };
}

/** What the page can tell about the GPU backends before starting one (null: none offered). */
export interface GpuHints {
  webgpu: 'hardware' | 'software' | null;
  webgl: 'hardware' | 'software' | null;
  adapters?: string; // their names: a remembered measurement is for these adapters only
  webgpuAdapter?: WebGpuAdapter | null; // the WebGPU adapter as described at load (for the trainer)
}

export async function gpuHints(): Promise<GpuHints> {
  const kind = (gpu: WebGpuAdapter | null) => (gpu ? (gpu.isSoftware ? 'software' : 'hardware') : null);
  let webgl: WebGpuAdapter | null = null;
  try {
    const gl = new OffscreenCanvas(1, 1).getContext('webgl2');
    if (gl) {
      webgl = describeWebGlRenderer(gl);
      gl.getExtension('WEBGL_lose_context')?.loseContext();
    }
  } catch {
    webgl = null;
  }
  const webgpu = await describeWebGpuAdapter();
  return {
    webgpu: kind(webgpu),
    webgl: kind(webgl),
    adapters: `${webgpu?.adapter ?? 'no WebGPU'} · ${webgl?.adapter ?? 'no WebGL'}`,
    webgpuAdapter: webgpu,
  };
}
