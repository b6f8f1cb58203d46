#!/usr/bin/env python3
"""Native reference for the wasm numbers: VGG16's conv base in PyTorch on the CPU.

Measures, per image, what test/bench/wasm-training*.ts measures in the browser:
block5_pool features, and one fine-tuning step (blocks 1-4 frozen and run
without autograd, block5 + the tutorial's head trained with SGD + momentum,
binary cross-entropy). Random weights: speed does not depend on their values.

Debian: apt-get install -y python3-torch. Run with the system Python and the
thread count to compare with, e.g.
    OMP_NUM_THREADS=2 /usr/bin/python3 test/bench/torch_vgg16_reference.py 150 16
Prints the best of ROUNDS (default 3) per measure, as the browser benchmarks do.
"""
import os
import sys
import time

import torch
from torch import nn

WIDTHS = [(2, 64), (2, 128), (3, 256), (3, 512), (3, 512)]


def block(channels_in, convs, width):
    layers = []
    for _ in range(convs):
        layers += [nn.Conv2d(channels_in, width, 3, padding=1), nn.ReLU(inplace=True)]
        channels_in = width
    return nn.Sequential(*layers, nn.MaxPool2d(2, 2))


def best_ms(run, rounds):
    run()  # warm-up
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        run()
        times.append((time.perf_counter() - started) * 1000)
    return min(times)


def main():
    size = int(sys.argv[1]) if len(sys.argv) > 1 else 150
    batch = int(sys.argv[2]) if len(sys.argv) > 2 else 16
    rounds = int(os.environ.get('ROUNDS', '3'))
    torch.manual_seed(1)
    blocks, channels = [], 3
    for convs, width in WIDTHS:
        blocks.append(block(channels, convs, width))
        channels = width
    frozen = nn.Sequential(*blocks[:4]).eval()
    block5 = blocks[4]
    side = size
    for _ in range(5):
        side //= 2
    head = nn.Sequential(nn.Flatten(), nn.Linear(512 * side * side, 256), nn.ReLU(), nn.Dropout(0.5), nn.Linear(256, 1))
    for p in frozen.parameters():
        p.requires_grad_(False)
    x = torch.rand(batch, 3, size, size) * 250 - 110
    y = torch.tensor([[float(i % 2)] for i in range(batch)])
    optimizer = torch.optim.SGD(list(block5.parameters()) + list(head.parameters()), lr=1e-4, momentum=0.9)
    loss_fn = nn.BCEWithLogitsLoss()

    def features():
        with torch.no_grad():
            block5(frozen(x))

    def step():
        with torch.no_grad():
            pooled = frozen(x)
        optimizer.zero_grad()
        loss = loss_fn(head(block5(pooled)), y)
        loss.backward()
        optimizer.step()

    print(f'torch {torch.__version__}, {torch.get_num_threads()} threads, {size}x{size}, batch {batch}, best of {rounds}')
    print(f'features per image: {best_ms(features, rounds) / batch:.0f} ms')
    print(f'fine-tune step per training image: {best_ms(step, rounds) / batch:.0f} ms')


if __name__ == '__main__':
    main()
