"""One training step of the reference's src/train.py (`train_step`), in float32 without AMP: the target
encoder on the whole image, LayerNorm, the target blocks gathered; the context encoder and the predictor;
smooth-L1; backward; the optimizer with its lr and weight-decay schedules; the EMA of the target encoder.
Shared by tools/reference/make_fixture.py and bench/torch_step.py. The reference's own helpers are
imported from its checkout, which the caller puts on sys.path first (nothing of it is copied here).
"""
import torch
import torch.nn.functional as F

from src.masks.utils import apply_masks
from src.utils.tensors import repeat_interleave_batch


def train_step(encoder, predictor, target_encoder, optimizer, scheduler, wd_scheduler, imgs, masks_enc, masks_pred, momentum):
    scheduler.step()
    wd_scheduler.step()
    with torch.no_grad():
        h = target_encoder(imgs)
        h = F.layer_norm(h, (h.size(-1),))
        h = apply_masks(h, masks_pred)
        h = repeat_interleave_batch(h, len(imgs), repeat=len(masks_enc))
    z = predictor(encoder(imgs, masks_enc), masks_enc, masks_pred)
    loss = F.smooth_l1_loss(z, h)
    loss.backward()
    optimizer.step()
    optimizer.zero_grad()
    with torch.no_grad():
        for param_q, param_k in zip(encoder.parameters(), target_encoder.parameters()):
            param_k.data.mul_(momentum).add_((1. - momentum) * param_q.detach().data)
    return loss.item()
