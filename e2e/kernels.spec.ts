// The fused WGSL kernels (src/ijepa/fused/webgpu.ts) against the plain tfjs ops they replace, on
// the real WebGPU path: forward values and gradients of LayerNorm, GELU and the fused attention, and
// the weights after two whole training steps with the fused AdamW + EMA (several parameters per
// dispatch, written in place: a snapshot sharing their buffers must keep its values). Same check as the CPU unit
// test (src/ijepa/fused.test.ts), run inside the app's worker.
import { expect, test } from '@playwright/test';
import { openApp, read } from './app';

test('fused WebGPU kernels match the unfused ops, forward and backward', async ({ page }) => {
  await openApp(page);
  expect((await read(page, 'backend'))?.name).toBe('webgpu');
  const errors = await page.evaluate(() => window.__ijepa!.fusedKernelErrors!());
  console.log(`[fused vs plain, WebGPU] max error (relative for the ops): ${JSON.stringify(errors)}`);
  expect(errors).toBeTruthy();
  expect(errors!.active).toBe(true);
  expect(errors!.groups).toEqual(
    expect.arrayContaining(['layerNormTwoOutputs', 'addLayerNorm', 'gelu', 'attention', 'smoothL1', 'columnSums']),
  );
  expect(errors!.layerNorm).toBeLessThan(1e-4);
  expect(errors!.addLayerNorm).toBeLessThan(1e-4);
  expect(errors!.gelu).toBeLessThan(1e-4);
  expect(errors!.attention).toBeLessThan(1e-4);
  expect(errors!.linear).toBeLessThan(1e-4); // the bias gradient is our column sum
  expect(errors!.loss).toBeLessThan(1e-4);
  expect(errors!.trainingStep).toBeLessThan(1e-4);
  // the optimizer writes several parameters per dispatch, in place, and a snapshot sharing them keeps its values
  expect(errors!.paramUpdatesInPlace).toBe(true);
  expect(errors!.snapshotChange).toBe(0);
});
