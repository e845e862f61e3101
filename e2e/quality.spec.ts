// Is it learning, and can the run be kept? The quality panel after an evaluation, resume after a
// reload, export of a checkpoint with the reference names, and import of it.
import { readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { readSafetensors } from '../src/ijepa/safetensors';
import { openApp, read, snap, trainThenPause, UI_RUN, waitForEvaluations, waitForPage, waitForStatus } from './app';

test('evaluations run beside training; the quality panel compares the trained and the random encoder and the raw pixels', async ({
  page,
}, testInfo) => {
  await openApp(page, UI_RUN);
  await page.getByTestId('eval-every').fill('2');
  await page.getByTestId('train-button').click(); // the step-0 evaluation is scheduled before the first step
  await waitForPage(page, async () => (await read(page, 'evaluating')) !== null, 'the step-0 evaluation');
  expect(await read(page, 'evaluating')).toMatchObject({ step: 0, withBaseline: true });
  // training goes on meanwhile: steps land while the evaluation is still under way
  await waitForStatus(page, (s) => s.step >= 3);
  await expect(page.getByTestId('eval-badge')).toContainText('evaluating step 0');
  expect(await read(page, 'qualitySteps')).toEqual([]);
  await snap(page.locator('.status-panel'), testInfo, 'training-while-evaluating');
  await page.getByTestId('train-button').click();
  const paused = await waitForStatus(page, (s) => s.phase === 'paused');
  // step 0's evaluation finishes while paused; the one due at step 2 then runs at the step the run is at
  const steps = await waitForEvaluations(page, 2);
  expect(steps).toEqual([0, paused.step]);
  await expect(page.getByTestId('quality-table')).toContainText(`trained, step ${paused.step}`);
  for (const id of ['knn', 'probe-test', 'std', 'rankme']) {
    await expect(page.getByTestId(`q-trained-${id}`)).toHaveText(/\d/);
    await expect(page.getByTestId(`q-random-${id}`)).toHaveText(/\d/);
  }
  // the raw-pixel yardstick, on WASM, which embeds every image (a software GPU evaluates a capped subset
  // without it: reference.spec.ts)
  await expect(page.getByTestId('probe-note')).not.toContainText('fixed subset');
  for (const id of ['knn', 'probe-test', 'probe-train']) await expect(page.getByTestId(`q-pixels-${id}`)).toHaveText(/^\d+\.\d%$/);
  await expect(page.getByTestId('q-pixels-probe-train')).toHaveText('100.0%'); // 3,072 numbers an image: the probe fits its 1,440
  await expect(page.getByTestId('q-pixels-std')).toHaveText(''); // the pixels have no feature diagnostics
  await expect(page.getByTestId('probe-note')).toContainText('6 classes');
  await expect.poll(() => read(page, 'qualityChartSteps')).toEqual(steps); // the charts follow every evaluation
  await expect(page.getByTestId('patch-view').locator('canvas')).toHaveCount(8);
  await expect(page.getByTestId('eval-badge')).toHaveCount(0);
  await snap(page.locator('.quality-panel'), testInfo, 'panel-quality');
});

test('a reload offers the saved run and resumes at the same step with the same loss history', async ({ page }) => {
  await openApp(page, UI_RUN);
  const paused = await trainThenPause(page, 3);
  const losses = await read(page, 'losses');
  await page.waitForTimeout(1000); // the autosave on pause
  await openApp(page, UI_RUN); // a fresh load of the page, over the same IndexedDB
  await expect(page.getByTestId('resume-banner')).toContainText(`step ${paused.step}`);
  await page.getByTestId('resume-button').click();
  await waitForStatus(page, (s) => s.step === paused.step && s.phase === 'paused');
  expect(await read(page, 'losses')).toEqual(losses.map(Math.fround));
  await page.getByTestId('step-button').click();
  await waitForStatus(page, (s) => s.step === paused.step + 1 && s.phase === 'paused');
});

test('exports a checkpoint with the reference names and shapes, and importing it restores the step', async ({ page }, testInfo) => {
  await openApp(page, UI_RUN.replace('decoderView=0', 'decoderView=1')); // WebGPU's export: reference.spec.ts; with the pixel decoder, which the checkpoint keeps
  await page.getByTestId('step-button').click();
  await waitForStatus(page, (s) => s.step === 1 && s.phase === 'paused');
  await page.getByTestId('step-button').click();
  await waitForStatus(page, (s) => s.step === 2 && s.phase === 'paused');
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-checkpoint').click()]);
  const path = testInfo.outputPath('checkpoint.safetensors');
  await download.saveAs(path);
  const file = readSafetensors(readFileSync(path));
  // micro: D = 32, 2 blocks, predictor Dp = 16 with 1 block, patch 4, 8x8 grid (hand-written, in PyTorch layouts)
  const expected: Record<string, number[]> = {
    'encoder.patch_embed.proj.weight': [32, 3, 4, 4],
    'encoder.patch_embed.proj.bias': [32],
    'encoder.pos_embed': [1, 64, 32],
    'encoder.blocks.0.attn.qkv.weight': [96, 32],
    'encoder.blocks.1.mlp.fc1.weight': [128, 32],
    'encoder.blocks.1.mlp.fc2.weight': [32, 128],
    'encoder.norm.weight': [32],
    'target_encoder.blocks.1.attn.proj.weight': [32, 32],
    'target_encoder.norm.bias': [32],
    'predictor.predictor_embed.weight': [16, 32],
    'predictor.mask_token': [1, 1, 16],
    'predictor.predictor_pos_embed': [1, 64, 16],
    'predictor.predictor_blocks.0.attn.qkv.weight': [48, 16],
    'predictor.predictor_norm.weight': [16],
    'predictor.predictor_proj.weight': [32, 16],
    'optimizer.exp_avg.encoder.blocks.0.attn.qkv.weight': [96, 32],
    'optimizer.exp_avg_sq.predictor.mask_token': [1, 1, 16],
  };
  for (const [name, shape] of Object.entries(expected)) expect(file.tensors.get(name)?.shape, name).toEqual(shape);
  const names = [...file.tensors.keys()];
  expect(names.filter((n) => n.startsWith('encoder.')).length).toBe(29);
  expect(names.filter((n) => n.startsWith('target_encoder.')).length).toBe(29);
  expect(names.filter((n) => n.startsWith('predictor.')).length).toBe(20);
  expect(names.filter((n) => n.startsWith('pixel_decoder.')).length).toBe(25); // the pixel decoder beside the run: 2 heads x 4 weights x (value, 2 moments) + its step
  expect(JSON.parse(file.metadata.config)).toMatchObject({ crop_size: 32, patch_size: 4, pred_emb_dim: 16, batch_size: 4 });
  expect(file.metadata.step).toBe('2');

  await page.getByTestId('reset-button').click();
  await waitForStatus(page, (s) => s.step === 0 && s.phase === 'idle');
  await page.getByTestId('import-input').setInputFiles(path);
  await waitForStatus(page, (s) => s.step === 2 && s.phase === 'paused');
  expect((await read(page, 'losses')).length).toBe(2);

  // a foreign file gets a message naming the mismatch
  const [targetDownload] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-target').click()]);
  const targetPath = testInfo.outputPath('target.safetensors');
  await targetDownload.saveAs(targetPath);
  await page.getByTestId('import-input').setInputFiles(targetPath);
  await expect(page.getByTestId('notices')).toContainText("missing tensor 'encoder.patch_embed.proj.weight'");
});
