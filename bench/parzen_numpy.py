#!/usr/bin/python3
"""The Table-1 Parzen protocol in plain float64 NumPy, timed on the same inputs as `SharpGan.Bench parzen`.

samples = MNIST train[0:10000], sigma chosen from 10 log-spaced values in [0.1, 1] on train[50000:51000],
then the mean log-likelihood of the 10 000 test images. Data loading is excluded from the time.
Reads the IDX files from $SHARPGAN_DATA/mnist. Prints seconds=<s> on its last line.
"""
import gzip
import os
import time

import numpy as np
from scipy.special import logsumexp


def load_images(path):
    with gzip.open(path, "rb") as f:
        raw = f.read()
    n, rows, cols = (int.from_bytes(raw[i:i + 4], "big") for i in (4, 8, 12))
    return np.frombuffer(raw, dtype=np.uint8, offset=16).reshape(n, rows * cols).astype(np.float64) / 255.0


def parzen_ll(x, samples, sigma, chunk=1000):
    d = x.shape[1]
    s_norm = (samples ** 2).sum(1)
    out = []
    for i in range(0, len(x), chunk):
        xb = x[i:i + chunk]
        dist = np.maximum((xb ** 2).sum(1)[:, None] + s_norm[None, :] - 2 * xb @ samples.T, 0)
        out.append(logsumexp(-dist / (2 * sigma ** 2), axis=1) - np.log(len(samples)) - d * np.log(sigma * np.sqrt(2 * np.pi)))
    return np.concatenate(out)


def main():
    root = os.path.join(os.environ.get("SHARPGAN_DATA", "../shared/datasets"), "mnist")
    train = load_images(os.path.join(root, "train-images-idx3-ubyte.gz"))
    test = load_images(os.path.join(root, "t10k-images-idx3-ubyte.gz"))
    samples, valid = train[:10000], train[50000:51000]
    t0 = time.perf_counter()
    sigmas = np.logspace(-1, 0, 10)
    best = max(sigmas, key=lambda s: parzen_ll(valid, samples, s).mean())
    ll = parzen_ll(test, samples, best)
    seconds = time.perf_counter() - t0
    print(f"sigma={best:.4f} test_ll={ll.mean():.2f} test_se={ll.std() / np.sqrt(len(ll)):.2f}")
    print(f"seconds={seconds:.3f}")


if __name__ == "__main__":
    main()
