"""The PyTorch reference's training step on this machine, for `npm run bench` to set beside the page's
(bench/step.bench.ts runs this when BENCH_TORCH names a checkout of the reference; or run it alone):

    python3 bench/torch_step.py --ijepa /path/to/ijepa --config '{"cropSize": 32, ...}' --threads 2

One step is src/train.py's `train_step` on the CPU in float32 (tools/reference/reference_step.py, shared
with the fixture script), with AdamW's two parameter groups and schedules from the reference's `init_opt`.
The model classes, the multi-block mask collator and the step's helpers are the reference's own (imported
from the checkout, nothing copied). Not in the step, as in the reference, where a
DataLoader's workers prepare them: the images (random, synthetic) and the masks (drawn before each step by
the reference's collator). Left out: DistributedDataParallel (one process) and the gradient logger.

Prints one JSON line: the median and mean step time over --steps after --warmup, with torch's threads and
BLAS as they were set up.
"""
import argparse, copy, json, os, statistics, sys, time
from functools import partial

import torch

parser = argparse.ArgumentParser()
parser.add_argument('--ijepa', required=True, help='a checkout of github.com/facebookresearch/ijepa')
parser.add_argument('--config', required=True, help="the preset's config, as the page's IJepaConfig (JSON)")
parser.add_argument('--threads', type=int, default=os.cpu_count())
parser.add_argument('--steps', type=int, default=10)
parser.add_argument('--warmup', type=int, default=2)
args = parser.parse_args()
sys.path.insert(0, args.ijepa)
import src.models.vision_transformer as vit  # noqa: E402
from src.helper import init_opt  # noqa: E402
from src.masks.multiblock import MaskCollator  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '../tools/reference'))
from reference_step import train_step  # noqa: E402

c = json.loads(args.config)
torch.manual_seed(c.get('seed', 0))
torch.set_num_threads(args.threads)

encoder = vit.VisionTransformer(img_size=[c['cropSize']], patch_size=c['patchSize'], embed_dim=c['embedDim'], depth=c['depth'],
                                num_heads=c['numHeads'], mlp_ratio=c['mlpRatio'], qkv_bias=True,
                                norm_layer=partial(torch.nn.LayerNorm, eps=1e-6))
predictor = vit.vit_predictor(num_patches=encoder.patch_embed.num_patches, embed_dim=c['embedDim'],
                              predictor_embed_dim=c['predEmbedDim'], depth=c['predDepth'], num_heads=c['numHeads'])
target_encoder = copy.deepcopy(encoder)
for p in target_encoder.parameters():
    p.requires_grad = False
# iterations_per_epoch * num_epochs = the planned steps; the schedules' values do not change a step's cost
optimizer, _scaler, scheduler, wd_scheduler = init_opt(
    encoder, predictor, iterations_per_epoch=c['totalSteps'], start_lr=c['startLr'], ref_lr=c['lr'],
    warmup=c['warmupSteps'] / c['totalSteps'], num_epochs=1, wd=c['weightDecay'], final_wd=c['finalWeightDecay'],
    final_lr=c['finalLr'], ipe_scale=1.0)
collator = MaskCollator(input_size=(c['cropSize'], c['cropSize']), patch_size=c['patchSize'],
                        enc_mask_scale=tuple(c['encMaskScale']), pred_mask_scale=tuple(c['predMaskScale']),
                        aspect_ratio=tuple(c['aspectRatio']), nenc=c['numEncMasks'], npred=c['numPredMasks'],
                        min_keep=c['minKeep'], allow_overlap=c['allowOverlap'])
momentum = c['ema'][0]
batch = [(torch.randn(3, c['cropSize'], c['cropSize']), 0) for _ in range(c['batchSize'])]


times = []
for i in range(args.warmup + args.steps):
    (imgs, _labels), masks_enc, masks_pred = collator(batch)
    started = time.perf_counter()
    train_step(encoder, predictor, target_encoder, optimizer, scheduler, wd_scheduler, imgs, masks_enc, masks_pred, momentum)
    if i >= args.warmup:
        times.append((time.perf_counter() - started) * 1000)

blas = [line.strip() for line in torch.__config__.show().splitlines() if 'BLAS_INFO' in line]
print(json.dumps({
    'torch': torch.__version__,
    'threads': torch.get_num_threads(),
    'blas': os.path.realpath('/usr/lib/x86_64-linux-gnu/libblas.so.3') if os.path.exists('/usr/lib/x86_64-linux-gnu/libblas.so.3') else 'unknown',
    'buildBlas': blas[0].split('BLAS_INFO=')[1].split(',')[0] if blas else 'unknown',
    'steps': len(times),
    'medianStepMs': statistics.median(times),
    'meanStepMs': statistics.fmean(times),
}))
