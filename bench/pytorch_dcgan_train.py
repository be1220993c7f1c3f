"""Trains PyTorch's copy of the mnist-dcgan preset for N iterations and saves 10 000 samples as .npy in [0, 1].

A training-parity check, not a benchmark: score the file with
  sharpgan eval metrics --samples OUT.npy     and     sharpgan eval parzen --samples OUT.npy
and compare with `sharpgan train --preset mnist-dcgan --max-steps N` scored the same way.
Usage: [TORCH_THREADS=N] /usr/bin/python3 bench/pytorch_dcgan_train.py ITERATIONS OUT.npy [MNIST_DIR]
"""
import gzip
import os
import sys
import time

import numpy as np
import torch
import torch.nn as nn

from pytorch_gan_step import dcgan28, dcgan_step


def main():
    iters, out = int(sys.argv[1]), sys.argv[2]
    mnist = sys.argv[3] if len(sys.argv) > 3 else os.path.join(os.environ.get("SHARPGAN_DATA", "../shared/datasets"), "mnist")
    torch.manual_seed(1)
    torch.set_num_threads(int(os.environ.get("TORCH_THREADS", "2")))  # 1 to run beside another job
    with gzip.open(os.path.join(mnist, "train-images-idx3-ubyte.gz")) as f:
        pixels = np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 1, 28, 28)[:50000]
    x = torch.from_numpy(pixels.astype(np.float32) / 255 * 2 - 1)  # train[0:50000] in [-1, 1], as the preset
    g, d, nz = dcgan28()
    for m in list(g.modules()) + list(d.modules()):  # PAPER section 7 initialisation
        if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d)):
            nn.init.normal_(m.weight, 0, 0.02)
        if isinstance(m, nn.BatchNorm2d):
            nn.init.normal_(m.weight, 1, 0.02)
            nn.init.zeros_(m.bias)
    opt_g = torch.optim.Adam(g.parameters(), lr=2e-4, betas=(0.5, 0.999))
    opt_d = torch.optim.Adam(d.parameters(), lr=2e-4, betas=(0.5, 0.999))
    batch = 64
    ones, zeros = torch.ones(batch), torch.zeros(batch)
    perm, pos, start = torch.randperm(len(x)), 0, time.time()
    for it in range(iters):
        if pos + batch > len(x):
            perm, pos = torch.randperm(len(x)), 0
        real = x[perm[pos:pos + batch]]
        pos += batch
        d_loss, g_loss = dcgan_step(g, d, opt_g, opt_d, real, nz, ones, zeros)
        if it % 100 == 0:
            print(f"iteration {it}: D loss {float(d_loss):.3f}, G loss {float(g_loss):.3f}, {time.time() - start:.0f} s", flush=True)
    g.eval()
    with torch.no_grad():
        samples = torch.cat([g(torch.randn(1000, nz, 1, 1)) for _ in range(10)]).view(10000, 784)
    np.save(out, ((samples + 1) / 2).numpy().astype(np.float32))
    print(f"trained {iters} iterations in {time.time() - start:.0f} s; wrote {out}")


if __name__ == "__main__":
    main()
