"""Reads Fashion-MNIST's idx files (Debian package dataset-fashion-mnist)."""
import gzip
import os
import struct

DEFAULT_DIR = '/usr/share/datasets/fashion-mnist'
CLASS_NAMES = ['tshirt_top', 'trouser', 'pullover', 'dress', 'coat', 'sandal', 'shirt', 'sneaker', 'bag', 'ankle_boot']


def load(directory, split):
    """(images, labels) of split 'train' (60,000) or 't10k' (10,000): images as bytes rows of 28×28 grey pixels."""
    images_path = os.path.join(directory, f'{split}-images-idx3-ubyte.gz')
    labels_path = os.path.join(directory, f'{split}-labels-idx1-ubyte.gz')
    for path in (images_path, labels_path):
        if not os.path.exists(path):
            raise SystemExit(
                f'{path} is missing. Install Fashion-MNIST (Debian: apt-get install dataset-fashion-mnist) '
                'or pass --data-dir with the four idx .gz files.'
            )
    with gzip.open(labels_path, 'rb') as f:
        magic, count = struct.unpack('>II', f.read(8))
        if magic != 2049:
            raise SystemExit(f'{labels_path} is not an idx1 label file (magic {magic}).')
        labels = f.read(count)
    with gzip.open(images_path, 'rb') as f:
        magic, count, rows, cols = struct.unpack('>IIII', f.read(16))
        if magic != 2051 or (rows, cols) != (28, 28):
            raise SystemExit(f'{images_path} is not a 28×28 idx3 image file (magic {magic}).')
        data = f.read(count * rows * cols)
    images = [data[i * 784:(i + 1) * 784] for i in range(count)]
    if len(images) != len(labels):
        raise SystemExit(f'{split}: {len(images)} images but {len(labels)} labels.')
    return images, labels
