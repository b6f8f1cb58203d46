#!/usr/bin/env python3
"""
Makes the offline demo dataset: Fashion-MNIST bags vs ankle boots (classes
the demo backbone never saw), as 28×28 grey PNGs in the tutorial's
train/validation/test layout, zipped into public/demo/. Train and validation
come from Fashion-MNIST's training file, test from its test file, each drawn
with a fixed seed, so the zip is the same bytes on every run.

    python3 scripts/demo/make_dataset.py [--data-dir DIR] [--train 100] [--validation 50] [--test 100]
"""
import argparse
import io
import os
import random
import zipfile

import fashion_mnist
from png import grey_png

CLASSES = {8: 'bag', 9: 'ankle_boot'}
# Fashion-MNIST's release date: fixed entry times keep the zip byte-identical across runs.
ENTRY_TIME = (2017, 8, 25, 0, 0, 0)
HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_OUT = os.path.normpath(os.path.join(HERE, '..', '..', 'public', 'demo', 'fashion-bag-vs-boot.zip'))


def pick(images, labels, label, count, rng, skip=0):
    indices = [i for i, l in enumerate(labels) if l == label]
    rng.shuffle(indices)
    if skip + count > len(indices):
        raise SystemExit(f'Only {len(indices)} images of class {label}; asked for {skip + count}.')
    return [(i, images[i]) for i in indices[skip:skip + count]]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--data-dir', default=fashion_mnist.DEFAULT_DIR)
    parser.add_argument('--train', type=int, default=100, help='images per class')
    parser.add_argument('--validation', type=int, default=50, help='images per class')
    parser.add_argument('--test', type=int, default=100, help='images per class')
    parser.add_argument('--seed', type=int, default=1)
    parser.add_argument('--out', default=DEFAULT_OUT)
    args = parser.parse_args()

    train_images, train_labels = fashion_mnist.load(args.data_dir, 'train')
    test_images, test_labels = fashion_mnist.load(args.data_dir, 't10k')
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, 'w', zipfile.ZIP_STORED) as archive:  # PNGs are compressed already
        for label, name in CLASSES.items():
            rng = random.Random(f'{args.seed}:{label}')
            # One shuffle of the training file's images feeds both splits, so they never share an image.
            from_train = pick(train_images, train_labels, label, args.train + args.validation, rng)
            splits = {
                'train': from_train[:args.train],
                'validation': from_train[args.train:],
                'test': pick(test_images, test_labels, label, args.test, rng),
            }
            for split, items in splits.items():
                source = 'train' if split != 'test' else 't10k'
                for index, pixels in items:
                    # The file name keeps the source row, so any image can be traced back to Fashion-MNIST.
                    entry = zipfile.ZipInfo(f'{split}/{name}/{source}-{index:05d}.png', ENTRY_TIME)
                    archive.writestr(entry, grey_png(pixels, 28, 28))
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, 'wb') as f:
        f.write(buffer.getvalue())
    total = 2 * (args.train + args.validation + args.test)
    print(f'{args.out}: {total} images ({args.train}/{args.validation}/{args.test} per class), {len(buffer.getvalue()):,} bytes')


if __name__ == '__main__':
    main()
