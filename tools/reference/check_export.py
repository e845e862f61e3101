"""Checks the page's export "for the reference trainer" with PyTorch and the reference's own code
(facebookresearch/ijepa; none of it is copied here):

1. torch.load as the reference calls it (from torch 2.6 on, that is weights_only=True: the file
   may hold only tensors, dicts and numbers);
2. the reference's models built from the exported YAML (src/helper.py init_model, wrapped in
   DistributedDataParallel as src/train.py does) take encoder, predictor and target_encoder with a
   strict load_state_dict; init_opt's AdamW takes `opt` and steps with it; a GradScaler takes `scaler`;
3. with --train: src/train.py's main() itself runs on generated images with the YAML as exported
   (logging.folder holding the checkpoint) and must log 'loaded pretrained encoder from epoch N'
   (its load_checkpoint swallows every error and starts at epoch 0, so the log is the only proof).

    python tools/reference/check_export.py --ijepa /path/to/ijepa --yaml x.yaml --checkpoint x.pth.tar [--train]
"""
import argparse, copy, logging, os, shutil, sys, tempfile

import torch
import yaml

parser = argparse.ArgumentParser()
parser.add_argument('--ijepa', required=True)
parser.add_argument('--yaml', required=True)
parser.add_argument('--checkpoint', required=True)
parser.add_argument('--train', action='store_true')
args = parser.parse_args()
sys.path.insert(0, args.ijepa)
os.environ.setdefault('MASTER_ADDR', '127.0.0.1')
os.environ.setdefault('MASTER_PORT', '29518')
torch.distributed.init_process_group('gloo', rank=0, world_size=1)  # DDP needs one; the reference's is NCCL
from src.helper import init_model, init_opt  # noqa: E402

config = yaml.safe_load(open(args.yaml))
meta, data, mask = config['meta'], config['data'], config['mask']
assert meta['load_checkpoint'] and meta['read_checkpoint'] == os.path.basename(args.checkpoint), 'the YAML does not resume from this file'

# exactly the reference's call: from torch 2.6 on it means weights_only=True (only tensors, dicts, numbers)
checkpoint = torch.load(args.checkpoint, map_location=torch.device('cpu'))
print(f'1. torch {torch.__version__}: torch.load:', sorted(checkpoint.keys()), 'epoch', checkpoint['epoch'])

encoder, predictor = init_model(device='cpu', patch_size=mask['patch_size'], crop_size=data['crop_size'],
                                pred_depth=meta['pred_depth'], pred_emb_dim=meta['pred_emb_dim'], model_name=meta['model_name'])
target_encoder = copy.deepcopy(encoder)
opt, _, _, _ = init_opt(encoder, predictor, iterations_per_epoch=10, start_lr=1e-4, ref_lr=1e-3, warmup=1, num_epochs=2)
encoder = torch.nn.parallel.DistributedDataParallel(encoder, static_graph=True)
predictor = torch.nn.parallel.DistributedDataParallel(predictor, static_graph=True)
target_encoder = torch.nn.parallel.DistributedDataParallel(target_encoder)
for name, module in (('encoder', encoder), ('predictor', predictor), ('target_encoder', target_encoder)):
    print(f'2. {name}.load_state_dict(strict=True):', module.load_state_dict(checkpoint[name], strict=True))
opt.load_state_dict(checkpoint['opt'])
steps = {float(s['step']) for s in opt.state.values()}
for p in list(encoder.parameters()) + list(predictor.parameters()):
    if p.requires_grad:
        p.grad = torch.randn_like(p)
opt.step()
print(f'2. AdamW state for {len(opt.state)} parameters at step {steps} took one more step')
if checkpoint['scaler'] is not None and hasattr(torch.amp, 'GradScaler'):  # a CPU GradScaler: torch >= 2.3
    scaler = torch.amp.GradScaler('cpu')
    scaler.load_state_dict(checkpoint['scaler'])
    print('2. GradScaler.load_state_dict: scale', scaler.get_scale())

if args.train:
    from PIL import Image
    from src.train import main as train_main
    work = tempfile.mkdtemp()
    shutil.copy(args.checkpoint, work)
    for i in range(2 * data['batch_size']):  # two iterations an epoch, on 2 classes of noise
        folder = os.path.join(work, 'images', 'train', f'class{i % 2}')
        os.makedirs(folder, exist_ok=True)
        Image.fromarray((torch.rand(data['crop_size'], data['crop_size'], 3) * 255).byte().numpy()).save(f'{folder}/{i}.png')
    config['data'].update(root_path=work, image_folder='images/', num_workers=0, pin_mem=False)
    config['logging']['folder'] = work
    config['optimization']['epochs'] = checkpoint['epoch'] + 1
    lines = []
    handler = logging.Handler()
    handler.emit = lambda record: lines.append(record.getMessage())
    logging.getLogger().addHandler(handler)
    train_main(config)
    loaded = [line for line in lines if line.startswith('loaded pretrained encoder from epoch')]
    failed = [line for line in lines if 'Encountered exception' in line]
    trained = [line for line in lines if line.startswith('[') and 'loss' in line]
    print('3. src/train.py:', loaded[:1], failed, trained[-1:] or lines[-3:])
    assert loaded and not failed and trained, 'the reference trainer did not resume from the checkpoint'
torch.distributed.destroy_process_group()
print('OK')
