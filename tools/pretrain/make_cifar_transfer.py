#!/usr/bin/python3
"""Splits CIFAR-10 (../shared/data/cifar10-jpeg) into the two tasks of Neurite's transfer-learning example.

    python3 tools/pretrain/make_cifar_transfer.py PRETRAIN_DIR [FEW_DIR]

Task A, for pre-training (written to PRETRAIN_DIR, not committed): airplane, automobile, bird, cat, deer;
all 5,000 training and 1,000 test images of each, as PRETRAIN_DIR/{train,test}/<class>/NNNN.jpg.

Task B, the new task with few labels (written to FEW_DIR, default data/cifar10-transfer, committed): dog,
frog, horse, ship, truck; the first 50 training images of each class as FEW_DIR/train/<class>/ and the first
200 test images of each as FEW_DIR/test/<class>/. The files are copied byte for byte from the zips.
"""

import os
import sys
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
SRC = os.path.normpath(os.path.join(ROOT, "..", "shared", "data", "cifar10-jpeg"))
A = ["airplane", "automobile", "bird", "cat", "deer"]
B = ["dog", "frog", "horse", "ship", "truck"]


def extract(zip_name, classes, limit, out):
    with zipfile.ZipFile(os.path.join(SRC, zip_name)) as z:
        count = {c: 0 for c in classes}
        for name in sorted(z.namelist()):
            parts = name.split("/")
            if len(parts) != 3 or parts[1] not in count or not parts[2].endswith(".jpg"):
                continue
            if limit is not None and count[parts[1]] >= limit:
                continue
            count[parts[1]] += 1
            dest = os.path.join(out, parts[0], parts[1], parts[2])
            os.makedirs(os.path.dirname(dest), exist_ok=True)
            with open(dest, "wb") as f:
                f.write(z.read(name))
    print(out, zip_name, count)


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    pre = sys.argv[1]
    few = sys.argv[2] if len(sys.argv) > 2 else os.path.join(ROOT, "data", "cifar10-transfer")
    extract("cifar10-train-jpeg.zip", A, None, pre)
    extract("cifar10-test-jpeg.zip", A, None, pre)
    extract("cifar10-train-jpeg.zip", B, 50, few)
    extract("cifar10-test-jpeg.zip", B, 200, few)


if __name__ == "__main__":
    main()
