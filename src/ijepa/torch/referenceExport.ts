// The run as the file the reference trainer's `load_checkpoint` (src/helper.py) reads: torch.save's
// zip of a dict with `encoder`, `predictor`, `target_encoder` (DistributedDataParallel state dicts:
// keys start with `module.`), `opt` (AdamW's state dict, numbered in init_opt's group order, `step`
// per parameter), `scaler`, `epoch`, `loss`, `batch_size`, `world_size`, `lr`. One extra key,
// `playground`, carries our config so the page reads its own export back exactly; torch ignores it.
import { posEmbedTensor } from '../checkpoint';
import { torchTensor } from '../layout';
import { moduleParams, type ModuleName } from '../model';
import { ADAM_BETAS, ADAM_EPS, readMoments } from '../optim';
import { lrAt, wdAt } from '../schedules';
import type { Trainer } from '../trainStep';
import { writeTorchArchive } from './archive';
import { OrderedDict } from './pickle';
import { optimizerGroups, stateDictOrder } from './referenceLayout';
import { iterationsPerEpoch, referenceModelOf } from './referenceModels';
import { PyFloat, PyTuple, TensorOut, type PyKey, type PyValue } from './values';

export const PLAYGROUND_KEY = 'playground';
export const REFERENCE_FORMAT = 'ijepa-webgpu-playground/reference-1';

/** torch.cuda.amp.GradScaler's state when it starts (what `use_bfloat16: true` makes the reference load). */
const FRESH_GRAD_SCALER: [string, PyValue][] = [
  ['scale', new PyFloat(65536)],
  ['growth_factor', new PyFloat(2)],
  ['backoff_factor', new PyFloat(0.5)],
  ['growth_interval', 2000],
  ['_growth_tracker', 0],
];

export interface ReferenceExportContext {
  datasetSize: number; // images the run trains on: epochs are counted in them
  epochLoss: number | null; // the mean loss of the last epoch (the reference's loss_meter.avg)
}

/** The file name the YAML's read_checkpoint names. */
export function referenceCheckpointName(trainer: Trainer): string {
  return `jepa-${referenceModelOf(trainer.config) ?? 'custom'}-step${trainer.step}.pth.tar`;
}

/** Completed epochs, as the reference counts them: it saves (and resumes) at epoch ends. */
export function completedEpochs(trainer: Trainer, datasetSize: number): number {
  return Math.floor(trainer.step / iterationsPerEpoch(datasetSize, trainer.config.batchSize));
}

const tensorOut = ({ shape, data }: { shape: number[]; data: Float32Array }) => new TensorOut(shape, data);

async function stateDict(trainer: Trainer, module: ModuleName): Promise<OrderedDict> {
  const { config } = trainer;
  const params = moduleParams(trainer.model, module);
  const dict = new OrderedDict();
  for (const [name, shape] of stateDictOrder(config, module)) {
    const t =
      shape === null
        ? posEmbedTensor(config, module)
        : torchTensor(name, shape, (await params[name].data()) as Float32Array, config.patchSize);
    dict.set(`module.${name}`, tensorOut(t));
  }
  return dict;
}

async function optimizerState(trainer: Trainer): Promise<Map<PyKey, PyValue>> {
  const { config, optimizer } = trainer;
  const moments = await readMoments(optimizer);
  const lr = lrAt(config, Math.max(0, trainer.step - 1)); // the last step's; the reference's scheduler sets the next
  const wd = wdAt(config, Math.max(0, trainer.step - 1));
  const state = new Map<PyKey, PyValue>();
  const paramGroups: PyValue[] = [];
  let index = 0;
  optimizerGroups(config).forEach((group, g) => {
    const params: number[] = [];
    for (const { module, name, trainable } of group) {
      if (trainable && optimizer.step > 0) {
        const key = `${module}.${name}`;
        const shape = optimizer.slots.get(key)!.shape;
        const torch = (values: Float32Array) => tensorOut(torchTensor(name, shape, values, config.patchSize));
        state.set(
          index,
          new Map<PyKey, PyValue>([
            ['step', new TensorOut([], Float32Array.of(optimizer.step))],
            ['exp_avg', torch(moments.expAvg[key])],
            ['exp_avg_sq', torch(moments.expAvgSq[key])],
          ]),
        );
      }
      params.push(index++);
    }
    const excluded = g >= 2;
    paramGroups.push(
      new Map<PyKey, PyValue>([
        ...(excluded ? [['WD_exclude', true] as [string, PyValue]] : []),
        ['lr', new PyFloat(lr)],
        ['betas', new PyTuple([...ADAM_BETAS])],
        ['eps', new PyFloat(ADAM_EPS)],
        ['weight_decay', new PyFloat(excluded ? 0 : wd)],
        ['amsgrad', false],
        ['maximize', false],
        ['foreach', null],
        ['capturable', false],
        ['differentiable', false],
        ['fused', null],
        ['decoupled_weight_decay', true],
        ['params', params],
      ]),
    );
  });
  return new Map<PyKey, PyValue>([
    ['state', state],
    ['param_groups', paramGroups],
  ]);
}

/** The trainer as the reference trainer's checkpoint (bytes of a `.pth.tar`). */
export async function exportReferenceCheckpoint(trainer: Trainer, context: ReferenceExportContext): Promise<Uint8Array> {
  const { config } = trainer;
  const root = new Map<PyKey, PyValue>([
    ['encoder', await stateDict(trainer, 'encoder')],
    ['predictor', await stateDict(trainer, 'predictor')],
    ['target_encoder', await stateDict(trainer, 'target_encoder')],
    ['opt', await optimizerState(trainer)],
    ['scaler', new Map(FRESH_GRAD_SCALER)],
    ['epoch', completedEpochs(trainer, context.datasetSize)],
    ['loss', context.epochLoss === null ? null : new PyFloat(context.epochLoss)],
    ['batch_size', config.batchSize],
    ['world_size', 1],
    ['lr', new PyFloat(config.lr)],
    [
      PLAYGROUND_KEY,
      new Map<PyKey, PyValue>([
        ['format', REFERENCE_FORMAT],
        ['config', JSON.stringify(config)],
        ['step', trainer.step],
      ]),
    ],
  ]);
  return writeTorchArchive(root, referenceCheckpointName(trainer).replace(/\.pth\.tar$/, ''));
}
