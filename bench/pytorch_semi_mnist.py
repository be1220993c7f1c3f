#!/usr/bin/python3
"""Reference run of semi-supervised MNIST with feature matching (Salimans et al. 2016) in PyTorch, to compare with
`sharpgan semi train` epoch by epoch. Debian's python3-torch; MNIST from the four IDX files.

    /usr/bin/python3 bench/pytorch_semi_mnist.py DATA_DIR/mnist [EPOCHS] [LABELS] [SEED] [V_STD]

V_STD is the σ of D's weight-norm directions v at initialisation: 0.05 by default here, 0.1 in SharpGAN and in the
reference's nn.DenseLayer (under weight normalisation it sets how fast Adam's fixed-size steps turn v).

Same setup as SharpGAN's: D = noise 0.3, weight-normalised ReLU 1000-500-250-250-250 with noise 0.5 between (hidden
scales held after a data-dependent init), 10 logits; G = 100 uniform → (linear, BatchNorm, softplus) × 2 of 500 →
weight-normalised sigmoid; Adam 0.003, β1 0.5; batch 100; unlabelled weight 0.5 on both unsupervised terms; G by
feature matching on the last hidden layer; the tested classifier is a zero-started 0.9999 average of D's weights.
"""
import gzip
import os
import sys
import time

import numpy as np
import torch
from torch import nn
import torch.nn.functional as F


def idx(path):
    with (gzip.open if path.endswith(".gz") else open)(path, "rb") as f:
        data = f.read()
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


V_STD = 0.05  # the fifth argument sets it (main); pytorch_gan_step.py imports this module with its own arguments


class WNLinear(nn.Module):
    def __init__(self, n_in, n_out, train_scale):
        super().__init__()
        self.v = nn.Parameter(torch.randn(n_out, n_in) * V_STD)
        self.g = nn.Parameter(torch.ones(n_out), requires_grad=train_scale)
        self.b = nn.Parameter(torch.zeros(n_out))

    def forward(self, x):
        return F.linear(x, self.g[:, None] * self.v / self.v.norm(dim=1, keepdim=True), self.b)

    @torch.no_grad()
    def init_from(self, x):
        t = F.linear(x, self.v / self.v.norm(dim=1, keepdim=True))
        mean, std = t.mean(0), t.std(0, unbiased=False) + 1e-8
        self.g.copy_(1 / std)
        self.b.copy_(-mean / std)


class D(nn.Module):
    def __init__(self):
        super().__init__()
        widths = [784, 1000, 500, 250, 250, 250]
        self.hidden = nn.ModuleList(WNLinear(a, b, False) for a, b in zip(widths, widths[1:]))
        self.out = WNLinear(250, 10, True)

    def forward(self, x, features=False, init=False):
        h = x + 0.3 * torch.randn_like(x) if self.training else x
        for i, layer in enumerate(self.hidden):
            if i > 0 and self.training:
                h = h + 0.5 * torch.randn_like(h)
            if init:
                layer.init_from(h)
            h = F.relu(layer(h))
        f = h
        if self.training:
            h = h + 0.5 * torch.randn_like(h)
        if init:
            self.out.init_from(h)
        logits = self.out(h)
        return (f, logits) if features else logits


def build(init_batch):
    """The players, D's zero-started average and the two Adams; D's weight norm initialised on init_batch."""
    g = nn.Sequential(nn.Linear(100, 500, bias=False), nn.BatchNorm1d(500), nn.Softplus(),
                      nn.Linear(500, 500, bias=False), nn.BatchNorm1d(500), nn.Softplus())
    g_out = WNLinear(500, 784, True)
    generate = lambda z: torch.sigmoid(g_out(g(z)))
    d = D()
    d.train()
    with torch.no_grad():
        d(init_batch, init=True)
    average = {k: torch.zeros_like(v) for k, v in d.state_dict().items()}
    opt_d = torch.optim.Adam([p for p in d.parameters() if p.requires_grad], lr=0.003, betas=(0.5, 0.999))
    opt_g = torch.optim.Adam(list(g.parameters()) + list(g_out.parameters()), lr=0.003, betas=(0.5, 0.999))
    return d, generate, average, opt_d, opt_g


def iteration(d, generate, average, opt_d, opt_g, xl, yl, xu):
    """One update of each player, as `semi train` makes it: D on the labelled, unlabelled and generated batches, the
    0.9999 average of D (held scales copied), then G by feature matching on D's last hidden layer."""
    batch = xu.shape[0]
    z = torch.rand(batch, 100)
    with torch.no_grad():
        fake = generate(z)
    lse = lambda l: torch.logsumexp(l, 1)
    loss_d = (F.cross_entropy(d(xl), yl) + 0.5 * F.softplus(-lse(d(xu))).mean() + 0.5 * F.softplus(lse(d(fake))).mean())
    opt_d.zero_grad()
    loss_d.backward()
    opt_d.step()
    with torch.no_grad():
        for k, v in d.state_dict().items():
            if k.endswith(".g") and "hidden" in k:
                average[k].copy_(v)   # held scales: copied, not averaged
            else:
                average[k].mul_(0.9999).add_(v, alpha=0.0001)
    z = torch.rand(batch, 100)
    f_fake, _ = d(generate(z), features=True)
    with torch.no_grad():
        f_real, _ = d(xu, features=True)
    loss_g = ((f_real.mean(0) - f_fake.mean(0)) ** 2).mean()
    opt_g.zero_grad()
    loss_g.backward()
    opt_g.step()
    return loss_d, loss_g


def main():
    global V_STD
    if len(sys.argv) > 5:
        V_STD = float(sys.argv[5])
    folder = sys.argv[1]
    epochs = int(sys.argv[2]) if len(sys.argv) > 2 else 10
    labels_count = int(sys.argv[3]) if len(sys.argv) > 3 else 100
    seed = int(sys.argv[4]) if len(sys.argv) > 4 else 1
    torch.manual_seed(seed)
    rng = np.random.RandomState(seed)
    name = lambda stem: next(os.path.join(folder, f) for f in os.listdir(folder) if f.startswith(stem))
    x = idx(name("train-images")).reshape(-1, 784).astype(np.float32) / 255
    y = idx(name("train-labels")).astype(np.int64)
    tx = idx(name("t10k-images")).reshape(-1, 784).astype(np.float32) / 255
    ty = idx(name("t10k-labels")).astype(np.int64)
    x, y = torch.from_numpy(x[:50000]), torch.from_numpy(y[:50000])
    tx, ty = torch.from_numpy(tx), torch.from_numpy(ty)
    chosen = np.concatenate([rng.permutation(np.where(y.numpy() == c)[0])[:labels_count // 10] for c in range(10)])
    lx, ly = x[chosen], y[chosen]

    d, generate, average, opt_d, opt_g = build(x[:500])
    batch = 100
    for epoch in range(1, epochs + 1):
        begin = time.time()
        order = torch.from_numpy(rng.permutation(50000))
        sums = [0.0, 0.0]
        for it in range(500):
            xu = x[order[it * batch:(it + 1) * batch]]
            li = torch.from_numpy(rng.permutation(len(lx))[:batch] if len(lx) >= batch else rng.randint(0, len(lx), batch))
            xl, yl = lx[li], ly[li]
            loss_d, loss_g = iteration(d, generate, average, opt_d, opt_g, xl, yl, xu)
            sums[0] += loss_d.item()
            sums[1] += loss_g.item()
        test = D()
        test.load_state_dict(average)
        test.eval()
        d.eval()
        with torch.no_grad():
            errors = int((test(tx).argmax(1) != ty).sum())
            live = int((d(tx).argmax(1) != ty).sum())
        d.train()
        print(f"epoch {epoch}: D loss {sums[0] / 500:.4f}, G loss {sums[1] / 500:.4f} (means over the epoch, as sharpgan prints), test errors {errors} (D's own weights: {live}) ({time.time() - begin:.0f} s)", flush=True)


if __name__ == "__main__":
    main()
