// How the reference trainer (facebookresearch/ijepa) lays out a checkpoint, independent of the file
// format: each module's state-dict order, and the AdamW parameter groups
// (src/helper.py `init_opt`) whose order numbers the optimizer state. docs/IJEPA_SPEC.md section 7.
import type { IJepaConfig } from '../config';
import { moduleShapes, type ModuleName } from '../model';
import { isDecayed } from '../optim';

/** A module's state-dict names in PyTorch's order (the module's own parameters first, in the order
 *  its __init__ registers them, then its submodules'), with the tfjs shape (null: the fixed sin-cos table, a parameter with requires_grad=False there,
 *  not one of ours). */
export function stateDictOrder(c: IJepaConfig, module: ModuleName): [string, number[] | null][] {
  const shapes = Object.entries(moduleShapes(c, module));
  const own = module === 'predictor' ? ['mask_token', 'predictor_pos_embed'] : ['pos_embed'];
  return [
    ...own.map((name): [string, number[] | null] => [name, shapes.find(([n]) => n === name)?.[1] ?? null]),
    ...shapes.filter(([name]) => !own.includes(name)),
  ];
}

/** The parameter each optimizer-state index stands for: init_opt's four groups in order (encoder
 *  decayed, predictor decayed, encoder not decayed, predictor not decayed), each in named_parameters
 *  order. The fixed tables count (they are parameters there) but never get a state. */
export function optimizerGroups(c: IJepaConfig): { module: 'encoder' | 'predictor'; name: string; trainable: boolean }[][] {
  const groups: ReturnType<typeof optimizerGroups> = [[], [], [], []];
  for (const decayed of [true, false]) {
    for (const module of ['encoder', 'predictor'] as const) {
      for (const [name, shape] of stateDictOrder(c, module)) {
        // the fixed tables are [1, N, width]: decayed by the reference's rule (not a bias, not 1-D)
        if (isDecayed(name, shape ?? [1, 1, 1]) === decayed)
          groups[(decayed ? 0 : 2) + (module === 'predictor' ? 1 : 0)].push({ module, name, trainable: shape !== null });
      }
    }
  }
  return groups;
}
