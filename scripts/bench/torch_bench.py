#!/usr/bin/env python3
"""Native PyTorch on the CPU, measuring what `npm run bench` measures in the browser.

VGG16's conv base (Keras's layout, random weights: speed does not depend on
their values) and the tutorial's head, in three jobs:

- features: block5_pool of a batch of images already in memory (torch.no_grad);
- step: one fine-tuning step as the app takes it: blocks 1-4 run without
  autograd, block5 + the head (Flatten, Dense 256 relu, Dropout 0.5, Dense 1)
  trained with SGD (lr 1e-4, momentum 0.9) and binary cross-entropy;
- head: one epoch of the head alone on cached features (RMSprop 1e-3, batch
  20, shuffled), then the validation set scored: what the app's epoch does.

Two ways to run it:

    OMP_NUM_THREADS=2 /usr/bin/python3 scripts/bench/torch_bench.py 150
        prints the best and the median of ROUNDS (default 5) per job, at the
        app's batches (features 8, fine-tune step 16, head 20);

    /usr/bin/python3 scripts/bench/torch_bench.py --serve
        what scripts/bench.mjs runs: one JSON request per line on stdin, one
        JSON answer per line on stdout, so its samples interleave with the
        browser's. Requests: {"info": true}; {"prepare": JOB, "id": ID}
        (builds it and runs it once, untimed; answers the warm-up's ms);
        {"sample": ID} (one timed run: its ms); {"dispose": ID}.
        JOB = {"what": "features" | "step" | "head", "size": 150, "batch": 8,
        "train": 2000, "validation": 800, "threads": 2}.

Debian: apt-get install -y python3-torch (1.13). Threads: OMP_NUM_THREADS, or
the machine's cores. Debian's torch is built with BLAS_INFO=generic: its dense
layers run on whatever libblas.so.3 resolves to, by default the reference
BLAS (several times slower: a head epoch at 150 took 8.5 s instead of 1.4 s).
scripts/bench.mjs points LD_LIBRARY_PATH at OpenBLAS (OpenMP build, which
follows torch.set_num_threads) where it is installed:
apt-get install -y libopenblas0-openmp.
"""
import json
import os
import platform
import statistics
import sys
import time

import torch
from torch import nn

WIDTHS = [(2, 64), (2, 128), (3, 256), (3, 512), (3, 512)]
HEAD_UNITS = 256
# src/shared/defaults.ts: features, fine-tuning and the head each have their own batch.
APP_BATCHES = {'features': 8, 'step': 16, 'head': 20}


def conv_block(channels_in, convs, width):
    layers = []
    for _ in range(convs):
        layers += [nn.Conv2d(channels_in, width, 3, padding=1), nn.ReLU(inplace=True)]
        channels_in = width
    return nn.Sequential(*layers, nn.MaxPool2d(2, 2))


def vgg16_blocks():
    blocks, channels = [], 3
    for convs, width in WIDTHS:
        blocks.append(conv_block(channels, convs, width))
        channels = width
    return blocks


def feature_side(size):
    for _ in range(5):
        size //= 2
    return size


def head(side):
    return nn.Sequential(nn.Flatten(), nn.Linear(512 * side * side, HEAD_UNITS), nn.ReLU(), nn.Dropout(0.5), nn.Linear(HEAD_UNITS, 1))


def images(batch, size):
    """Roughly caffe-preprocessed pixels (values around +-100), NCHW as PyTorch wants them."""
    return torch.rand(batch, 3, size, size) * 250 - 110


def labels(n):
    return torch.tensor([[float(i % 2)] for i in range(n)])


def make_job(job):
    """Builds a job's model and data; returns the function one timed run calls."""
    torch.manual_seed(1)
    what, size = job['what'], job['size']
    if what == 'features':
        base = nn.Sequential(*vgg16_blocks()).eval()
        x = images(job['batch'], size)

        def features():
            with torch.no_grad():
                base(x)
        return features
    if what == 'step':
        blocks = vgg16_blocks()
        frozen = nn.Sequential(*blocks[:4]).eval()
        for p in frozen.parameters():
            p.requires_grad_(False)
        block5, top = blocks[4], head(feature_side(size))
        trained = nn.Sequential(block5, top).train()
        optimizer = torch.optim.SGD(trained.parameters(), lr=1e-4, momentum=0.9)
        loss_fn = nn.BCEWithLogitsLoss()
        x, y = images(job['batch'], size), labels(job['batch'])

        def step():
            with torch.no_grad():
                pooled = frozen(x)
            optimizer.zero_grad()
            loss_fn(trained(pooled), y).backward()
            optimizer.step()
        return step
    if what == 'head':
        side = feature_side(size)
        model = head(side)
        optimizer = torch.optim.RMSprop(model.parameters(), lr=1e-3)
        loss_fn = nn.BCEWithLogitsLoss()
        batch = job['batch']
        x_train, y_train = torch.rand(job['train'], 512, side, side) * 10, labels(job['train'])
        x_val, y_val = torch.rand(job['validation'], 512, side, side) * 10, labels(job['validation'])

        def epoch():
            model.train()
            order = torch.randperm(len(x_train))
            for start in range(0, len(order), batch):
                pick = order[start:start + batch]
                optimizer.zero_grad()
                loss_fn(model(x_train[pick]), y_train[pick]).backward()
                optimizer.step()
            model.eval()
            with torch.no_grad():
                for start in range(0, len(x_val), batch):
                    loss_fn(model(x_val[start:start + batch]), y_val[start:start + batch]).item()
        return epoch
    raise ValueError(f'unknown job {what!r}')


def timed_ms(run):
    started = time.perf_counter()
    run()
    return (time.perf_counter() - started) * 1000


def blas_library():
    """The BLAS this process loaded (Debian's torch uses whatever libblas.so.3 resolves to; dense layers run on it)."""
    torch.ones(64, 64) @ torch.ones(64, 64)
    try:
        with open('/proc/self/maps') as maps:
            found = {line.split()[-1] for line in maps if 'blas' in line.rsplit('/', 1)[-1]}
        return sorted(found)
    except OSError:
        return []


def info():
    return {
        'blas': blas_library(),
        'torch': torch.__version__,
        'python': platform.python_version(),
        'threads': torch.get_num_threads(),
        'mkldnn': torch.backends.mkldnn.is_available(),
        'executable': sys.executable,
    }


def serve():
    jobs = {}
    for line in sys.stdin:
        if not line.strip():
            continue
        request = json.loads(line)
        try:
            if 'info' in request:
                answer = info()
            elif 'prepare' in request:
                job = request['prepare']
                threads = job.get('threads', torch.get_num_threads())
                torch.set_num_threads(threads)
                jobs[request['id']] = (make_job(job), threads)
                answer = {'warmMs': timed_ms(jobs[request['id']][0])}
            elif 'sample' in request:
                run, threads = jobs[request['sample']]
                torch.set_num_threads(threads)  # the jobs of one process may differ in threads
                answer = {'ms': timed_ms(run)}
            elif 'dispose' in request:
                jobs.pop(request['dispose'], None)
                answer = {}
            else:
                raise ValueError(f'unknown request {line.strip()}')
        except Exception as err:  # the bench reports it and goes on
            answer = {'error': f'{type(err).__name__}: {err}'}
        print(json.dumps(answer), flush=True)


def main():
    threads = int(os.environ.get('OMP_NUM_THREADS', os.cpu_count() or 1))
    torch.set_num_threads(threads)
    if sys.argv[1:2] == ['--serve']:
        serve()
        return
    size = int(sys.argv[1]) if len(sys.argv) > 1 else 150
    rounds = int(os.environ.get('ROUNDS', '5'))
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, {size}x{size}, {rounds} rounds")
    for what, batch in APP_BATCHES.items():
        run = make_job({'what': what, 'size': size, 'batch': batch, 'train': 2000, 'validation': 800})
        run()
        per = 1 if what == 'head' else batch
        times = [timed_ms(run) / per for _ in range(rounds)]
        unit = 'ms per image' if what != 'head' else 'ms per epoch'
        print(f'{what}: median {statistics.median(times):.0f} {unit}, best {min(times):.0f}, worst {max(times):.0f}')


if __name__ == '__main__':
    main()
