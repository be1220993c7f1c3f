#!/usr/bin/python3
"""The gan-step training iterations in PyTorch, for a side-by-side with SharpGAN's gan-step benchmark.

Same networks, batch, update rule and data as `SharpGan.Bench gan-step MODEL`:
- paper-mlp: one D step on 100 real + 100 fake images (G run without grad), one non-saturating G step through D
  (D's grads not applied), SGD with momentum;
- cgan: the same with a one-hot label beside z (G: 110 inputs) and beside x (D's first maxout layer: 794), Adam 2e-4;
- dcgan28: mnist-dcgan's iteration (see dcgan_step);
- semi: `semi train`'s iteration, the networks of bench/pytorch_semi_mnist.py (see semi_iteration).
Run with Debian's python3-torch:  /usr/bin/python3 bench/pytorch_gan_step.py --model MODEL --threads 2
Prints ms_per_iter=<median> on its last line.
"""
import argparse
import statistics
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class Maxout(nn.Module):
    def __init__(self, n_in, units, pieces):
        super().__init__()
        self.units, self.pieces = units, pieces
        self.lin = nn.Linear(n_in, units * pieces)

    def forward(self, x):
        return self.lin(x).view(x.shape[0], self.units, self.pieces).max(-1).values


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default="paper-mlp", choices=["paper-mlp", "cgan", "dcgan28", "semi"])
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--iters", type=int, default=30)
    ap.add_argument("--keep-denormals", action="store_true", help="do not flush denormals to zero")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    # PyTorch's best configuration: denormals flushed to zero. Without it, cgan's iteration (Adam on tiny weights and
    # gradients) ran 3.6x slower here (1 058 ms against 292 ms, 1 thread); SharpGAN does not flush them.
    torch.set_flush_denormal(not args.keep_denormals)
    torch.manual_seed(1234)
    if args.model == "dcgan28":
        return run(dcgan28(), args)
    if args.model == "semi":
        return report(semi_iteration(), args.iters)
    batch, classes = 100, 10 if args.model == "cgan" else 0
    g = nn.Sequential(nn.Linear(100 + classes, 1200), nn.ReLU(), nn.Linear(1200, 1200), nn.ReLU(), nn.Linear(1200, 784), nn.Sigmoid())
    d = nn.Sequential(nn.Dropout(0.2), Maxout(784 + classes, 240, 5), nn.Dropout(0.5), Maxout(240, 240, 5), nn.Dropout(0.5), nn.Linear(240, 1))
    for p in g.parameters():
        nn.init.uniform_(p, -0.05, 0.05)
    for p in d.parameters():
        nn.init.uniform_(p, -0.005, 0.005)
    if classes:
        opt_g = torch.optim.Adam(g.parameters(), lr=2e-4, betas=(0.5, 0.999))
        opt_d = torch.optim.Adam(d.parameters(), lr=2e-4, betas=(0.5, 0.999))
    else:
        # PyTorch's SGD momentum is v = mu*v + g; p -= lr*v, the same update as the paper's rule at constant lr.
        opt_g = torch.optim.SGD(g.parameters(), lr=0.1, momentum=0.5)
        opt_d = torch.optim.SGD(d.parameters(), lr=0.1, momentum=0.5)
    one_hot = F.one_hot(torch.arange(batch) % 10, 10).float() if classes else torch.zeros(batch, 0)
    real = torch.cat([torch.rand(batch, 784), one_hot], 1)
    targets = torch.cat([torch.ones(batch, 1), torch.zeros(batch, 1)])
    ones = torch.ones(batch, 1)

    def generate():
        labels = F.one_hot(torch.randint(0, 10, (batch,)), 10).float() if classes else one_hot
        return torch.cat([g(torch.cat([torch.randn(batch, 100), labels], 1)), labels], 1)

    def iteration():
        opt_d.zero_grad(set_to_none=False)
        with torch.no_grad():
            fake = generate()
        d_loss = F.binary_cross_entropy_with_logits(d(torch.cat([real, fake])), targets)
        d_loss.backward()
        opt_d.step()
        opt_g.zero_grad(set_to_none=False)
        for p in d.parameters():
            p.requires_grad_(False)
        g_loss = F.binary_cross_entropy_with_logits(d(generate()), ones)
        g_loss.backward()
        for p in d.parameters():
            p.requires_grad_(True)
        opt_g.step()
        return d_loss.item(), g_loss.item()

    report(iteration, args.iters)


def report(iteration, iters):
    """Wall time of `iters` iterations after 5 warm-up ones: best_ms_per_iter=<fastest>, then ms_per_iter=<median> last."""
    for _ in range(5):
        iteration()
    times = []
    for _ in range(iters):
        t0 = time.perf_counter()
        iteration()
        times.append((time.perf_counter() - t0) * 1000)
    print(f"torch={torch.__version__} threads={torch.get_num_threads()}")
    print(f"best_ms_per_iter={min(times):.2f}")
    print(f"ms_per_iter={statistics.median(times):.2f}")


def dcgan28(nz=100, f=64):
    """PAPER section 7's 28x28 DCGAN, as in SharpGAN's mnist-dcgan preset (no conv bias, BatchNorm, Adam 2e-4)."""
    g = nn.Sequential(nn.ConvTranspose2d(nz, 4 * f, 7, 1, 0, bias=False), nn.BatchNorm2d(4 * f), nn.ReLU(),
                      nn.ConvTranspose2d(4 * f, 2 * f, 4, 2, 1, bias=False), nn.BatchNorm2d(2 * f), nn.ReLU(),
                      nn.ConvTranspose2d(2 * f, 1, 4, 2, 1, bias=False), nn.Tanh())
    d = nn.Sequential(nn.Conv2d(1, f, 4, 2, 1, bias=False), nn.LeakyReLU(0.2),
                      nn.Conv2d(f, 2 * f, 4, 2, 1, bias=False), nn.BatchNorm2d(2 * f), nn.LeakyReLU(0.2),
                      nn.Conv2d(2 * f, 1, 7, 1, 0, bias=False))
    return g, d, nz


def dcgan_step(g, d, opt_g, opt_d, real, nz, ones, zeros):
    """One mnist-dcgan iteration: a D step on real and fake in separate passes (as SharpGAN's dcgan presets, so
    BatchNorm statistics are never mixed), then a non-saturating G step through D with D's grads switched off."""
    batch = real.shape[0]
    opt_d.zero_grad(set_to_none=False)
    with torch.no_grad():
        fake = g(torch.randn(batch, nz, 1, 1))
    d_loss = 0.5 * (F.binary_cross_entropy_with_logits(d(real).view(-1), ones)
                    + F.binary_cross_entropy_with_logits(d(fake).view(-1), zeros))
    d_loss.backward()
    opt_d.step()
    opt_g.zero_grad(set_to_none=False)
    for p in d.parameters():
        p.requires_grad_(False)
    g_loss = F.binary_cross_entropy_with_logits(d(g(torch.randn(batch, nz, 1, 1))).view(-1), ones)
    g_loss.backward()
    for p in d.parameters():
        p.requires_grad_(True)
    opt_g.step()
    return d_loss, g_loss


def semi_iteration(batch=100):
    """One `semi train` iteration on random images: D's update on 100 labelled, 100 unlabelled and 100 generated rows,
    the 0.9999 average of D, G's feature-matching update (the loop body of bench/pytorch_semi_mnist.py)."""
    import pytorch_semi_mnist as semi
    xl, xu, yl = torch.rand(batch, 784), torch.rand(batch, 784), torch.arange(batch) % 10
    d, generate, average, opt_d, opt_g = semi.build(xu)

    def step():
        semi.iteration(d, generate, average, opt_d, opt_g, xl, yl, xu)

    return step


def run(nets, args):
    g, d, nz = nets
    batch = 64
    opt_g = torch.optim.Adam(g.parameters(), lr=2e-4, betas=(0.5, 0.999))
    opt_d = torch.optim.Adam(d.parameters(), lr=2e-4, betas=(0.5, 0.999))
    real = torch.rand(batch, 1, 28, 28) * 2 - 1
    ones, zeros = torch.ones(batch), torch.zeros(batch)

    def iteration():
        dcgan_step(g, d, opt_g, opt_d, real, nz, ones, zeros)

    report(iteration, args.iters)


if __name__ == "__main__":
    main()
