// Reference-trainer files for tests of what the page refuses.
import { writeTorchArchive } from '../ijepa/torch/archive';
import { OrderedDict, TensorOut, type PyKey, type PyValue } from '../ijepa/torch/values';

/** A .pth.tar whose shapes are vit_base's (86M encoder parameters) but whose storages hold one value
 *  each: a few kilobytes that the importer must refuse by size before reading any tensor. */
export function vitBaseShapesOnly(): Uint8Array {
  const tensor = (shape: number[]) => new TensorOut(shape, new Float32Array(1));
  const blocks = (name: string, shape: number[]) =>
    Array.from({ length: 12 }, (_, i): [string, PyValue] => [`module.blocks.${i}.${name}`, tensor(shape)]);
  const encoder = new OrderedDict([
    ['module.pos_embed', tensor([1, 196, 768])],
    ['module.patch_embed.proj.weight', tensor([768, 3, 16, 16])],
    ...blocks('norm1.weight', [768]),
    ...blocks('attn.qkv.weight', [2304, 768]),
    ...blocks('mlp.fc1.weight', [3072, 768]),
  ]);
  const predictor = new OrderedDict([['module.predictor_embed.weight', tensor([384, 768])]]);
  return writeTorchArchive(
    new Map<PyKey, PyValue>([
      ['encoder', encoder],
      ['predictor', predictor],
      ['target_encoder', encoder],
    ]),
  );
}
