// Continue at scale: the run exported for the reference PyTorch trainer (.pth.tar + the YAML that
// resumes it), read back by the page; a checkpoint PyTorch itself wrote (the reference trainer's
// code, tools/reference/make_fixture.py) imported, trained on and evaluated here on WebGPU.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, test } from '@playwright/test';
import { parse } from 'yaml';
import { readTorchArchive } from '../src/ijepa/torch/archive';
import type { PyKey, PyValue } from '../src/ijepa/torch/values';
import { vitBaseShapesOnly } from '../src/test/referenceFiles';
import { openApp, read, waitForEvaluations, waitForStatus } from './app';

const FIXTURE = fileURLToPath(new URL('../src/ijepa/torch/fixtures/reference-tiny.pth.tar', import.meta.url));
type Dict = Map<PyKey, PyValue>;

test('exports the run for the reference trainer and imports it back at the same step', async ({ page }, testInfo) => {
  await openApp(page);
  await expect(page.getByTestId('reference-note')).toContainText('Not a reference model (32 wide, 2 blocks, 2 heads)');
  await page.getByTestId('step-button').click();
  await waitForStatus(page, (s) => s.step === 1 && s.phase === 'paused');
  const downloads: { name: string; path: string }[] = [];
  page.on('download', async (d) => {
    const path = testInfo.outputPath(d.suggestedFilename());
    await d.saveAs(path);
    downloads.push({ name: d.suggestedFilename(), path });
  });
  await page.getByTestId('export-reference').click();
  await expect.poll(() => downloads.length).toBe(2);
  const checkpoint = downloads.find((d) => d.name.endsWith('.pth.tar'))!;
  const yaml = downloads.find((d) => d.name.endsWith('.yaml'))!;
  expect(checkpoint.name).toBe('jepa-custom-step1.pth.tar');
  const root = readTorchArchive(readFileSync(checkpoint.path)).root as Dict;
  expect([...root.keys()]).toEqual([
    'encoder',
    'predictor',
    'target_encoder',
    'opt',
    'scaler',
    'epoch',
    'loss',
    'batch_size',
    'world_size',
    'lr',
    'playground',
  ]);
  expect([...(root.get('encoder') as Dict).keys()].slice(0, 3)).toEqual([
    'module.pos_embed',
    'module.patch_embed.proj.weight',
    'module.patch_embed.proj.bias',
  ]);
  const groups = (root.get('opt') as Dict).get('param_groups') as Dict[];
  expect(groups.map((g) => (g.get('params') as number[]).length)).toEqual([10, 8, 19, 12]); // init_opt's four groups for micro (as in the PyTorch fixture)
  expect((root.get('opt') as Dict).get('state')).toHaveProperty('size', 10 - 1 + 8 - 1 + 19 + 12); // no state for the two sin-cos tables
  expect(parse(readFileSync(yaml.path, 'utf8')).meta).toMatchObject({ load_checkpoint: false, model_name: 'vit_tiny' }); // not a reference model: afresh

  await page.getByTestId('reset-button').click();
  await waitForStatus(page, (s) => s.step === 0 && s.phase === 'idle');
  await page.getByTestId('import-input').setInputFiles(checkpoint.path);
  const status = await waitForStatus(page, (s) => s.step === 1 && s.phase === 'paused');
  expect(status.message).toContain('Imported a PyTorch checkpoint (32-wide, 2-block ViT, patch 4 at 32 px');
});

test('a checkpoint written by PyTorch is imported, trains on and is evaluated here', async ({ page }) => {
  await openApp(page); // micro: 2 heads, which the fixture's non-reference width takes from the page
  await page.getByTestId('import-input').setInputFiles(FIXTURE);
  const status = await waitForStatus(page, (s) => s.step === 3 && s.phase === 'paused');
  expect(status.message).toBe('Imported a PyTorch checkpoint (16-wide, 2-block ViT, patch 4 at 16 px, epoch 1) at step 3.');
  expect(await read(page, 'config')).toMatchObject({ cropSize: 16, embedDim: 16, depth: 2, predEmbedDim: 8, batchSize: 2 });
  await page.getByTestId('step-button').click();
  await waitForStatus(page, (s) => s.step === 4 && s.phase === 'paused');
  expect((await read(page, 'losses')).every(Number.isFinite)).toBe(true);
  await page.getByTestId('evaluate-now').click();
  expect(await waitForEvaluations(page, 1)).toEqual([4]);
  await expect.poll(async () => (await read(page, 'embeddingMap'))?.step).toBe(4); // the "what it learned" views
  // and the patch features: 2 images (an evaluation chunk is one training batch, 2 here), each beside its features
  await expect(page.getByTestId('patch-view').locator('canvas')).toHaveCount(4);
  // a software GPU evaluates a capped subset, without the raw pixels, and says so (a real one need not)
  if ((await page.getByTestId('probe-note').textContent())!.includes('fixed subset')) {
    await expect(page.getByTestId('probe-note')).toContainText("the raw pixels' probes, which would take minutes here, are not computed");
    for (const id of ['knn', 'probe-test']) await expect(page.getByTestId(`q-pixels-${id}`)).toHaveText('—');
  }

  // files the page cannot take get a message, and the imported run stays as it was
  const big = vitBaseShapesOnly();
  await page
    .getByTestId('import-input')
    .setInputFiles({ name: 'vit_base.pth.tar', mimeType: 'application/octet-stream', buffer: Buffer.from(big) });
  await expect(page.getByTestId('notices')).toContainText('Importing vit_base.pth.tar failed: it holds vit_base (');
  const corrupt = readFileSync(FIXTURE).subarray(0, 20_000);
  await page.getByTestId('import-input').setInputFiles({ name: 'cut.pth.tar', mimeType: 'application/octet-stream', buffer: corrupt });
  await expect(page.getByTestId('notices')).toContainText('Importing cut.pth.tar failed: the zip archive is damaged');
  expect(await read(page, 'status')).toMatchObject({ step: 4, phase: 'paused' });
});

test('the vit_tiny preset is the reference model: its export resumes in the reference trainer', async ({ page }, testInfo) => {
  await openApp(page, 'backend=webgpu&preset=vit_tiny&recipe=reference&batchSize=4&evalEvery=0&testHooks=1');
  await expect(page.getByTestId('reference-note')).toContainText("This run is the reference's vit_tiny");
  const yamlDownload = page.waitForEvent('download', (d) => d.suggestedFilename().endsWith('.yaml'));
  const checkpointDownload = page.waitForEvent('download', (d) => d.suggestedFilename().endsWith('.pth.tar'));
  await page.getByTestId('export-reference').click();
  const [yaml, checkpoint] = await Promise.all([yamlDownload, checkpointDownload]);
  expect(checkpoint.suggestedFilename()).toBe('jepa-vit_tiny-step0.pth.tar');
  const path = testInfo.outputPath('config.yaml');
  await yaml.saveAs(path);
  const doc = parse(readFileSync(path, 'utf8'));
  expect(doc.meta).toMatchObject({
    model_name: 'vit_tiny',
    load_checkpoint: true,
    read_checkpoint: 'jepa-vit_tiny-step0.pth.tar',
    pred_emb_dim: 96,
  });
  expect(doc.mask).toMatchObject({ patch_size: 8 });
  expect(doc.data).toMatchObject({ crop_size: 64 });
});
