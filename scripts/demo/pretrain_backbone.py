#!/usr/bin/env python3
"""
Pre-trains the offline demo's backbone: a narrow VGG16 (the same 13 conv
layers, 2×2 pools and Keras names; fewer filters) on Fashion-MNIST classes
0–4 (T-shirt/top, trouser, pullover, dress, coat), then writes its conv base
as a tfjs layers model (model.json + one shard) and the training log to
public/demo/backbone/. The demo dataset's classes (bag, ankle boot) are never
shown to it.

Inputs are prepared as the app prepares them for the demo: 28×28 grey
upscaled to 32×32 (bicubic, rounded to 8 bits, like a canvas), grey copied
to three channels, then Keras's 'caffe' preprocessing (ImageNet BGR means
subtracted). Kernels start as the app's random twin does (He-uniform, zero
biases), so "pre-trained vs random" compares training with no training.

Runs on CPU with PyTorch (Debian: apt-get install python3-torch); ~30 s an
epoch on 2 cores; 3 epochs by default. Seeded and re-runnable; the same seed and PyTorch version
give the same weights.

    /usr/bin/python3 scripts/demo/pretrain_backbone.py [--epochs 8] [--widths 16,32,64,128,128]
"""
import argparse
import hashlib
import json
import math
import os
import platform
import sys
import time

try:
    import torch
    import torch.nn as nn
    import torch.nn.functional as F
except ImportError:
    raise SystemExit(
        'PyTorch is missing for this Python. Debian: apt-get install python3-torch, then run with /usr/bin/python3 '
        '(npm run demo:backbone uses $PYTHON if set).'
    )

import fashion_mnist

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_OUT = os.path.normpath(os.path.join(HERE, '..', '..', 'public', 'demo', 'backbone'))
PRETRAIN_CLASSES = [0, 1, 2, 3, 4]
CONVS_PER_BLOCK = [2, 2, 3, 3, 3]
INPUT_SIZE = 32
CAFFE_BGR_MEAN = [103.939, 116.779, 123.68]


def network_input(rows):
    """28×28 grey bytes → [n, 3, 32, 32] floats, as the app's demo feeds VGG16."""
    x = torch.tensor(bytearray(b''.join(rows)), dtype=torch.uint8).view(-1, 1, 28, 28).float()
    x = F.interpolate(x, size=INPUT_SIZE, mode='bicubic', align_corners=False).clamp(0, 255).round()
    return x.repeat(1, 3, 1, 1) - torch.tensor(CAFFE_BGR_MEAN).view(1, 3, 1, 1)


def subset(images, labels, classes):
    picked = [i for i, label in enumerate(labels) if label in classes]
    return network_input([images[i] for i in picked]), torch.tensor([classes.index(labels[i]) for i in picked])


class ConvBase(nn.Sequential):
    """VGG16's conv base at the given widths; layer names as Keras's."""

    def __init__(self, widths):
        super().__init__()
        channels = 3
        for b, (filters, convs) in enumerate(zip(widths, CONVS_PER_BLOCK), start=1):
            for c in range(1, convs + 1):
                conv = nn.Conv2d(channels, filters, 3, padding=1)
                limit = math.sqrt(6 / (9 * channels))  # He-uniform, as the app's random weights
                nn.init.uniform_(conv.weight, -limit, limit)
                nn.init.zeros_(conv.bias)
                self.add_module(f'block{b}_conv{c}', conv)
                self.add_module(f'block{b}_relu{c}', nn.ReLU())
                channels = filters
            self.add_module(f'block{b}_pool', nn.MaxPool2d(2))
        self.add_module('flatten', nn.Flatten())


def augment(x):
    """
    Random shifts of up to 3 pixels each way (rolled: the borders are background).
    No flips: Fashion-MNIST's shoes all point the same way, and a backbone taught
    to ignore left and right would lose the cue that tells a boot from a bag.
    """
    dy, dx = (int(d) for d in torch.randint(-3, 4, (2,)))
    return torch.roll(x, (dy, dx), (2, 3))


def accuracy(model, x, y):
    model.eval()
    with torch.no_grad():
        correct = sum((model(x[i:i + 1000]).argmax(1) == y[i:i + 1000]).sum().item() for i in range(0, len(x), 1000))
    return correct / len(x)


def export(base, widths, out_dir, label, metadata):
    """The conv base as a tfjs layers model: HWIO kernels (Keras's order), one shard, no topology (the app builds it)."""
    os.makedirs(out_dir, exist_ok=True)
    specs, parts = [], []
    for name, module in base.named_children():
        if isinstance(module, nn.Conv2d):
            kernel = module.weight.detach().permute(2, 3, 1, 0).contiguous()  # OIHW → HWIO
            for suffix, tensor in (('kernel', kernel), ('bias', module.bias.detach())):
                specs.append({'name': f'{name}/{suffix}', 'shape': list(tensor.shape), 'dtype': 'float32'})
                parts.append(tensor.numpy().astype('<f4').tobytes())
    data = b''.join(parts)
    shard = 'group1-shard1of1.bin'
    with open(os.path.join(out_dir, shard), 'wb') as f:
        f.write(data)
    model_json = {
        'format': 'layers-model',
        'generatedBy': f'PyTorch {torch.__version__}',
        'convertedBy': 'transfer-lab scripts/demo/pretrain_backbone.py',
        'modelTopology': None,
        'weightsManifest': [{'paths': [shard], 'weights': specs}],
        'userDefinedMetadata': {'label': label, **metadata},
    }
    with open(os.path.join(out_dir, 'model.json'), 'w') as f:
        json.dump(model_json, f, indent=1)
        f.write('\n')
    return data


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--data-dir', default=fashion_mnist.DEFAULT_DIR)
    parser.add_argument('--widths', default='16,32,64,128,128', help='filters per block (VGG16: 64,128,256,512,512)')
    parser.add_argument('--epochs', type=int, default=3)
    parser.add_argument('--batch-size', type=int, default=128)
    parser.add_argument('--learning-rate', type=float, default=1e-3)
    parser.add_argument('--seed', type=int, default=1)
    parser.add_argument('--out', default=DEFAULT_OUT)
    args = parser.parse_args()
    widths = [int(w) for w in args.widths.split(',')]
    if len(widths) != 5 or min(widths) < 1:
        raise SystemExit('--widths takes five positive numbers, one per block.')

    torch.manual_seed(args.seed)
    torch.use_deterministic_algorithms(True)
    torch.set_num_threads(os.cpu_count() or 1)
    train_images, train_labels = fashion_mnist.load(args.data_dir, 'train')
    test_images, test_labels = fashion_mnist.load(args.data_dir, 't10k')
    x_train, y_train = subset(train_images, train_labels, PRETRAIN_CLASSES)
    x_test, y_test = subset(test_images, test_labels, PRETRAIN_CLASSES)

    base = ConvBase(widths)
    # A hidden layer between block5 and the classes, as VGG16's fc1/fc2: it keeps block5's features general.
    model = nn.Sequential(base, nn.Linear(widths[-1], 256), nn.ReLU(), nn.Dropout(0.5), nn.Linear(256, len(PRETRAIN_CLASSES)))
    optimizer = torch.optim.Adam(model.parameters(), lr=args.learning_rate)

    log = []
    def say(line):
        print(line, flush=True)
        log.append(line)

    names = ', '.join(fashion_mnist.CLASS_NAMES[c] for c in PRETRAIN_CLASSES)
    say(f'# Demo backbone pre-training — {time.strftime("%Y-%m-%d %H:%M:%S %Z")}')
    say(f'command: {" ".join(["pretrain_backbone.py", *sys.argv[1:]])}')
    say(f'python {platform.python_version()}, torch {torch.__version__}, {torch.get_num_threads()} threads, {platform.machine()}')
    say(f'classes: {names} (Fashion-MNIST 0–4); train {len(x_train)} images, test {len(x_test)} images')
    say(f'widths {widths}, input {INPUT_SIZE}×{INPUT_SIZE} caffe, Adam lr {args.learning_rate}, batch {args.batch_size}, '
        f'{args.epochs} epochs, seed {args.seed}, augmentation: shifts of up to 3 pixels, no flips')
    for epoch in range(1, args.epochs + 1):
        started = time.time()
        model.train()
        order = torch.randperm(len(x_train))
        total = 0.0
        for i in range(0, len(order), args.batch_size):
            batch = order[i:i + args.batch_size]
            loss = F.cross_entropy(model(augment(x_train[batch])), y_train[batch])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += loss.item() * len(batch)
        say(f'epoch {epoch}: loss {total / len(x_train):.4f}, test accuracy {accuracy(model, x_test, y_test):.4f} ({time.time() - started:.0f} s)')

    test_accuracy = accuracy(model, x_test, y_test)
    label = (f'Demo backbone: narrow VGG16 ({"-".join(map(str, widths))} filters), '
             'pre-trained on Fashion-MNIST, not ImageNet')
    data = export(base, widths, args.out, label, {
        'pretrainedOn': f'Fashion-MNIST classes 0–4 ({names}), {len(x_train)} images',
        'pretrainTestAccuracy': round(test_accuracy, 4),
        'inputSize': INPUT_SIZE,
        'preprocessing': 'caffe',
        # The app's resize closest to the upscaling above (PIL's bicubic; torch's is a = -0.75, PIL's -0.5).
        'resize': 'bicubic',
    })
    say(f'test accuracy on the 5 pre-training classes: {test_accuracy:.4f}')
    say(f'wrote {args.out}/model.json and group1-shard1of1.bin: {len(data):,} bytes, sha256 {hashlib.sha256(data).hexdigest()}')
    with open(os.path.join(args.out, 'training-log.txt'), 'w') as f:
        f.write('\n'.join(log) + '\n')


if __name__ == '__main__':
    main()
