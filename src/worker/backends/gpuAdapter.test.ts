import { afterEach, describe, expect, it, vi } from 'vitest';
import { knownOrDescribedAdapter } from './gpuAdapter';

const software = { adapter: 'google swiftshader (software)', isSoftware: true };

afterEach(() => vi.unstubAllGlobals());

/** A browser whose WebGPU adapter is a hardware one, counting how often it is asked. */
function stubBrowser() {
  const requestAdapter = vi.fn(async () => ({ info: { vendor: 'nvidia', architecture: 'hopper' } }));
  vi.stubGlobal('navigator', { gpu: { requestAdapter } });
  return requestAdapter;
}

describe("the trainer's WebGPU adapter", () => {
  it("is the page's description from load time when WebGPU is not being started: the browser is not asked again", async () => {
    const requestAdapter = stubBrowser();
    expect(await knownOrDescribedAdapter(software, false)).toEqual(software);
    expect(await knownOrDescribedAdapter(null, false)).toBeNull(); // the page saw no WebGPU
    expect(requestAdapter).not.toHaveBeenCalled();
  });

  it('is asked of the browser when WebGPU is being started, or when the page has no description', async () => {
    const requestAdapter = stubBrowser();
    const hardware = { adapter: 'nvidia hopper', isSoftware: false };
    expect(await knownOrDescribedAdapter(software, true)).toEqual(hardware);
    expect(await knownOrDescribedAdapter(undefined, false)).toEqual(hardware);
    expect(requestAdapter).toHaveBeenCalledTimes(2);
  });
});
