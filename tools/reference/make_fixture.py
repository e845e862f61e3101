"""Writes src/ijepa/torch/fixtures/reference-tiny.pth.tar: a checkpoint saved by the reference trainer's
own code (facebookresearch/ijepa) for a model small enough to commit, and reference-tiny.json: what the
importer test checks it against (the shapes, per-tensor sums, and the encoder's output on a fixed image).

Run once, with PyTorch and a checkout of the reference (none of its code is copied here):
    python tools/reference/make_fixture.py --ijepa /path/to/ijepa
"""
import argparse, copy, json, os, sys
from functools import partial

import torch

parser = argparse.ArgumentParser()
parser.add_argument('--ijepa', required=True, help='a checkout of github.com/facebookresearch/ijepa')
parser.add_argument('--out', default=os.path.join(os.path.dirname(__file__), '../../src/ijepa/torch/fixtures'))
args = parser.parse_args()
sys.path.insert(0, args.ijepa)
import src.models.vision_transformer as vit  # noqa: E402
from src.helper import init_opt  # noqa: E402
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from reference_step import train_step  # noqa: E402

torch.manual_seed(0)
CROP, PATCH, WIDTH, DEPTH, HEADS, PRED_WIDTH, PRED_DEPTH, BATCH = 16, 4, 16, 2, 2, 8, 1, 2
os.environ.setdefault('MASTER_ADDR', '127.0.0.1')
os.environ.setdefault('MASTER_PORT', '29517')
torch.distributed.init_process_group('gloo', rank=0, world_size=1)

# the reference's model classes at a width the named sizes do not have (vit_tiny is 192 wide)
encoder = vit.VisionTransformer(img_size=[CROP], patch_size=PATCH, embed_dim=WIDTH, depth=DEPTH, num_heads=HEADS,
                                mlp_ratio=4, qkv_bias=True, norm_layer=partial(torch.nn.LayerNorm, eps=1e-6))
predictor = vit.vit_predictor(num_patches=(CROP // PATCH) ** 2, embed_dim=WIDTH, predictor_embed_dim=PRED_WIDTH,
                              depth=PRED_DEPTH, num_heads=HEADS)
target_encoder = copy.deepcopy(encoder)
optimizer, scaler, scheduler, wd_scheduler = init_opt(encoder, predictor, iterations_per_epoch=3, start_lr=2e-4, ref_lr=1e-3,
                                                      warmup=1, num_epochs=2, wd=0.04, final_wd=0.4, final_lr=1e-6, ipe_scale=1.0)
encoder = torch.nn.parallel.DistributedDataParallel(encoder, static_graph=True)  # as src/train.py: keys get 'module.'
predictor = torch.nn.parallel.DistributedDataParallel(predictor, static_graph=True)
target_encoder = torch.nn.parallel.DistributedDataParallel(target_encoder)
for p in target_encoder.parameters():
    p.requires_grad = False

# three of src/train.py's steps (one epoch of 3 iterations), with fixed masks
N = (CROP // PATCH) ** 2
masks_enc = [torch.arange(0, 10).repeat(BATCH, 1)]
masks_pred = [torch.arange(10, 13).repeat(BATCH, 1), torch.arange(13, 16).repeat(BATCH, 1)]
losses = []
for step in range(3):
    imgs = torch.randn(BATCH, 3, CROP, CROP)
    losses.append(train_step(encoder, predictor, target_encoder, optimizer, scheduler, wd_scheduler, imgs, masks_enc, masks_pred, 0.996))

save_dict = {  # exactly src/train.py's save_checkpoint
    'encoder': encoder.state_dict(), 'predictor': predictor.state_dict(), 'target_encoder': target_encoder.state_dict(),
    'opt': optimizer.state_dict(), 'scaler': None, 'epoch': 1, 'loss': sum(losses) / len(losses),
    'batch_size': BATCH, 'world_size': 1, 'lr': 1e-3,
}
os.makedirs(args.out, exist_ok=True)
torch.save(save_dict, os.path.join(args.out, 'reference-tiny.pth.tar'))

# what the importer test checks: every tensor's sum (float64), the moments by parameter name, the
# encoder's output for a fixed image (a layout mistake anywhere changes it)
image = torch.linspace(-1, 1, 3 * CROP * CROP).reshape(1, 3, CROP, CROP)
with torch.no_grad():
    tokens = encoder.module(image)  # [1, N, D]
sums = {f'{m}.{k}': float(v.double().sum()) for m in ('encoder', 'predictor', 'target_encoder') for k, v in save_dict[m].items()}
names = {id(p): f'{m}.{n}' for m, mod in (('encoder', encoder), ('predictor', predictor)) for n, p in mod.module.named_parameters()}
moments = {names[id(p)]: {'exp_avg': float(s['exp_avg'].double().sum()), 'exp_avg_sq': float(s['exp_avg_sq'].double().sum()),
                          'step': float(s['step'])} for p, s in optimizer.state.items()}
json.dump({'config': {'crop_size': CROP, 'patch_size': PATCH, 'embed_dim': WIDTH, 'depth': DEPTH, 'num_heads': HEADS,
                      'pred_emb_dim': PRED_WIDTH, 'pred_depth': PRED_DEPTH, 'batch_size': BATCH},
           'torch_version': torch.__version__, 'losses': losses, 'sums': sums, 'moments': moments,
           'image': 'linspace(-1, 1, 3*16*16) as [1, 3, 16, 16]', 'tokens': tokens.flatten().tolist()},
          open(os.path.join(args.out, 'reference-tiny.json'), 'w'), indent=1)
torch.distributed.destroy_process_group()
print('wrote', args.out, 'with torch', torch.__version__)
