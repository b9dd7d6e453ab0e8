"""PyTorch CPU anchor for scripts/bench-embed.ts: the same feature extraction, same machine, same run.

torchvision architectures with random weights (the arithmetic is the same as with trained ones), batches of
BATCH, images/s with 1 thread and with THREADS threads, for:
  mobilenetv2  MobileNetV2 @224, features + global average pool (1280-d), as Lookalike's `final`;
  mobilenetv2-mid-multi-gem  MobileNetV2 @224 up to block 13 (torchvision features[:15]), blocks 9/11/12/13
                             GeM-pooled (p = 3), each L2-normalised, concatenated, normalised again;
  resnet50     ResNet50 @200 without its pool and classifier (7x7x2048 map), as Lookalike caches it.
Usage: python3 scripts/bench-embed-anchor.py IMAGES BATCH THREADS [model,model,...]
Prints one JSON object.
"""
import json
import sys
import time

import torch
import torchvision

images, batch, threads = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
wanted = sys.argv[4].split(',') if len(sys.argv) > 4 else ['mobilenetv2', 'mobilenetv2-mid-multi-gem', 'resnet50']
torch.manual_seed(1)


class MidMultiGem(torch.nn.Module):
    """Keras block_9_add, block_11_add, block_12_add, block_13_project_BN = torchvision features[10, 12, 13, 14]."""

    def __init__(self):
        super().__init__()
        self.features = torchvision.models.mobilenet_v2(weights=None).features[:15]

    def forward(self, x):
        parts = []
        for i, layer in enumerate(self.features):
            x = layer(x)
            if i in (10, 12, 13, 14):
                g = x.clamp(min=1e-6).pow(3).mean(dim=(2, 3)).pow(1 / 3)
                parts.append(torch.nn.functional.normalize(g, dim=1, eps=1e-6))
        return torch.nn.functional.normalize(torch.cat(parts, 1), dim=1, eps=1e-6)


def build(name):
    if name == 'mobilenetv2':
        m = torchvision.models.mobilenet_v2(weights=None)
        return torch.nn.Sequential(m.features, torch.nn.AdaptiveAvgPool2d(1), torch.nn.Flatten()).eval(), 224
    if name == 'mobilenetv2-mid-multi-gem':
        return MidMultiGem().eval(), 224
    if name == 'resnet50':
        m = torchvision.models.resnet50(weights=None)
        return torch.nn.Sequential(*list(m.children())[:-2]).eval(), 200
    raise SystemExit(f'unknown model {name}')


def images_per_second(model, size, n_threads, n):
    torch.set_num_threads(n_threads)
    x = torch.rand(batch, 3, size, size)
    with torch.inference_mode():
        model(x)  # warm-up
        t0 = time.perf_counter()
        done = 0
        while done < n:
            model(x)
            done += batch
    return done / (time.perf_counter() - t0)


out = {'torch': torch.__version__, 'torchvision': torchvision.__version__, 'batch': batch, 'models': {}}
for name in wanted:
    model, size = build(name)
    n = images if name != 'resnet50' else max(batch, images // 2)
    out['models'][name] = {
        'inputSize': size,
        'images': n,
        'imagesPerSecond': {'1': images_per_second(model, size, 1, n), str(threads): images_per_second(model, size, threads, n)},
    }
print(json.dumps(out))
