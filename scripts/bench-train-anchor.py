"""PyTorch CPU anchor for scripts/bench-train.ts: the same work on the same machine, in the same run.

Prints one JSON object: feature extraction images/s (MobileNetV2 @224 and ResNet50 @200, torchvision
architectures with random weights: the arithmetic is the same as with trained ones), once with 1 thread and
once with every core, and the seconds of one head epoch of N triplets (Dense 512 relu, BatchNorm, Dense 256
relu, BatchNorm, Dense 256, L2 normalise; batch 32, in-batch semi-hard negatives, margin 0.2, Adam), on
1280-d and on 7x7x2048 features, as Lookalike's head trains.
Usage: python3 scripts/bench-train-anchor.py IMAGES TRIPLETS [flatten]
"""
import json
import os
import sys
import time

import torch
import torchvision

images, triplets = int(sys.argv[1]), int(sys.argv[2])
torch.manual_seed(1)


def images_per_second(model, size, threads, n):
    torch.set_num_threads(threads)
    batch = min(8, n)
    x = torch.rand(batch, 3, size, size)
    with torch.inference_mode():
        model(x)  # warm-up
        t0 = time.perf_counter()
        done = 0
        while done < n:
            model(x)
            done += batch
    return done / (time.perf_counter() - t0)


def mobilenet_features():
    m = torchvision.models.mobilenet_v2(weights=None)
    return torch.nn.Sequential(m.features, torch.nn.AdaptiveAvgPool2d(1), torch.nn.Flatten()).eval()


def resnet_features():
    m = torchvision.models.resnet50(weights=None)
    return torch.nn.Sequential(*list(m.children())[:-2]).eval()  # 7x7x2048 map, as Lookalike caches it


def head(in_features):
    return torch.nn.Sequential(
        torch.nn.Linear(in_features, 512), torch.nn.ReLU(), torch.nn.BatchNorm1d(512),
        torch.nn.Linear(512, 256), torch.nn.ReLU(), torch.nn.BatchNorm1d(256),
        torch.nn.Linear(256, 256),
    )


def head_epoch_seconds(shape, pooling, threads):
    torch.set_num_threads(threads)
    size = 1
    for s in shape:
        size *= s
    table = torch.sin(torch.arange(64 * size, dtype=torch.float32) * 12.9898).reshape(64, *shape) * 2
    in_features = shape[-1] if pooling == 'avg' and len(shape) == 3 else size
    model = head(in_features)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)

    def embed(rows):
        x = table[rows]
        if len(shape) == 3:
            x = x.mean(dim=(1, 2)) if pooling == 'avg' else x.reshape(len(rows), -1)
        return torch.nn.functional.normalize(model(x), dim=1)

    t0 = time.perf_counter()
    for b in range(0, triplets, 32):
        idx = torch.arange(b, min(b + 32, triplets))
        a, p = embed((idx * 2) % 64), embed((idx * 2 + 1) % 64)
        d_ap = (a - p).pow(2).sum(1)
        d_an = torch.cdist(a, p).pow(2)
        d_an.fill_diagonal_(float('inf'))
        # semi-hard: the closest negative farther than the positive, else the hardest one
        semi = torch.where(d_an > d_ap[:, None], d_an, torch.full_like(d_an, float('inf'))).min(1).values
        hardest = d_an.min(1).values
        d_neg = torch.where(torch.isinf(semi), hardest, semi)
        loss = torch.relu(d_ap - d_neg + 0.2).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
    return time.perf_counter() - t0


cores = os.cpu_count() or 1
out = {'torch': torch.__version__, 'torchvision': torchvision.__version__, 'featureExtraction': {}, 'headEpochSeconds': {}}
for name, build, size, n in (('mobilenetv2', mobilenet_features, 224, images), ('resnet50', resnet_features, 200, min(images, 8))):
    model = build()
    out['featureExtraction'][name] = {
        'inputSize': size,
        'imagesPerSecond1Thread': images_per_second(model, size, 1, n),
        f'imagesPerSecond{cores}Threads': images_per_second(model, size, cores, n),
    }
out['headEpochSeconds'] = {
    'triplets': triplets,
    'batchSize': 32,
    'threads': 1,
    'mobilenetv2Features': head_epoch_seconds([1280], 'avg', 1),
    'resnet50FeaturesAvg': head_epoch_seconds([7, 7, 2048], 'avg', 1),
    # 100 352 inputs x 512 per row: ~200 s per 200 triplets on a loaded 2-core machine; opt in with a third argument.
    'resnet50FeaturesFlatten': head_epoch_seconds([7, 7, 2048], 'flatten', 1) if len(sys.argv) > 3 and sys.argv[3] == 'flatten' else None,
}
print(json.dumps(out))
