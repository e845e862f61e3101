// The settings that are one of a few named choices, and what each choice is called on the page (the
// settings form and the experiments' "vary one setting" both offer them).
import { MASK_STRATEGY_LABELS } from '../ijepa/ablationMasks';
import type { IJepaConfig } from '../ijepa/config';

export type ChoiceKey = 'maskStrategy' | 'predictionTarget' | 'loss';

/** The settings that are one of a few named choices: what each choice is called on the page. */
export const CHOICES: { [K in ChoiceKey]: { options: Record<IJepaConfig[K], string>; title?: string; testId?: string } } = {
  maskStrategy: {
    options: MASK_STRATEGY_LABELS,
    title: "The paper's masking ablation (its Table 6): multi-block is I-JEPA's; the others predict the complement of their context",
    testId: 'mask-strategy-select',
  },
  predictionTarget: {
    options: { representations: 'representations (I-JEPA)', pixels: "pixels (the paper's ablation)" },
    title:
      "The paper's target ablation (its Table 7): representations are I-JEPA's; pixels predicts each hidden patch's own pixels, normalised per patch",
    testId: 'prediction-target-select',
  },
  loss: { options: { smoothL1: 'smooth L1 (reference code)', mse: 'L2 (paper)' } },
};
export const CHOICE_KEYS = Object.keys(CHOICES) as ChoiceKey[];
