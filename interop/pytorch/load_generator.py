#!/usr/bin/env python3
"""Load a SharpGAN generator file (`sharpgan export --format safetensors`) into a PyTorch nn.Sequential.

    python3 load_generator.py G.safetensors                      # build, load, draw 16 samples, print their shape
    python3 load_generator.py G.safetensors --noise z.npy --compare s.npy
        # run G on z and report max |PyTorch - SharpGAN| against `sharpgan sample --noise z.npy --out s.npy`

Needs torch and numpy only (the safetensors layout is read by hand: 8-byte header length, JSON header, raw data).
Mapping (also in the README):
  mlp-maxout  generator.net.{0,1,2}.{weight,bias}  ->  Sequential index {0,2,4} (Linear, ReLU, Linear, ReLU, Linear, Sigmoid)
  dcgan28/32  generator.{i}.{weight,bias,running_mean,running_var}  ->  Sequential index i, the same layer list
              (Unflatten, ConvTranspose2d, BatchNorm2d, ReLU, ..., ConvTranspose2d, Tanh); weights are already
              PyTorch's layouts: Linear (out, in), ConvTranspose2d (in, out, k, k), BatchNorm eps 1e-5.
Output: images (batch, C, H, W) in the run's pixel range ([0, 1] for mlp-maxout, [-1, 1] for the DCGANs).
"""
import argparse
import json
import struct

import numpy as np
import torch
from torch import nn

SHAPES = {"mnist": (1, 28, 28), "fashion-mnist": (1, 28, 28), "cifar10": (3, 32, 32)}


def read_safetensors(path):
    with open(path, "rb") as f:
        (header_len,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(header_len))
        data = f.read()
    metadata = header.pop("__metadata__", {})
    tensors = {}
    for name, info in header.items():
        if info["dtype"] != "F32":
            raise ValueError(f"{path}: tensor {name} is {info['dtype']}, expected F32")
        start, end = info["data_offsets"]
        tensors[name] = torch.from_numpy(np.frombuffer(data[start:end], dtype="<f4").reshape(info["shape"]).copy())
    return tensors, metadata


def build(config):
    model = config["model"]
    channels, height, width = SHAPES[config["dataset"]]
    nz = model["noise_dim"]
    if model["architecture"] == "mlp-maxout":
        hidden = model["generator_hidden"]
        return nn.Sequential(nn.Linear(nz, hidden), nn.ReLU(), nn.Linear(hidden, hidden), nn.ReLU(),
                             nn.Linear(hidden, channels * height * width), nn.Sigmoid(),
                             nn.Unflatten(1, (channels, height, width))), {f"net.{i}.": f"{2 * i}." for i in range(3)}
    side = {"dcgan28": 28, "dcgan32": 32}[model["architecture"]]
    stages = 2 if side == 28 else 3
    base, f = side >> stages, model["features"]
    width_ = 4 * f
    layers = [nn.Unflatten(1, (nz, 1, 1)), nn.ConvTranspose2d(nz, width_, base, 1, 0, bias=False), nn.BatchNorm2d(width_), nn.ReLU()]
    for _ in range(1, stages):
        layers += [nn.ConvTranspose2d(width_, width_ // 2, 4, 2, 1, bias=False), nn.BatchNorm2d(width_ // 2), nn.ReLU()]
        width_ //= 2
    layers += [nn.ConvTranspose2d(width_, channels, 4, 2, 1, bias=False), nn.Tanh()]
    return nn.Sequential(*layers), {}


def load(path):
    tensors, metadata = read_safetensors(path)
    if metadata.get("format") != "sharpgan-generator/1":
        raise ValueError(f"{path}: not a SharpGAN generator file (format {metadata.get('format')!r})")
    config = json.loads(metadata["config"])
    net, renames = build(config)
    state = {}
    for name, value in tensors.items():
        key = name.removeprefix("generator.")
        for ours, theirs in renames.items():
            if key.startswith(ours):
                key = theirs + key[len(ours):]
        state[key] = value
    missing, unexpected = net.load_state_dict(state, strict=False)
    # BatchNorm2d's num_batches_tracked only drives momentum=None averaging in training; SharpGAN has no such counter.
    missing = [m for m in missing if not m.endswith("num_batches_tracked")]
    if missing or unexpected:
        raise ValueError(f"{path}: missing {missing}, unexpected {unexpected}")
    return net.eval(), config


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("generator")
    parser.add_argument("--noise", help=".npy float32 (count, noise_dim)")
    parser.add_argument("--compare", help=".npy written by `sharpgan sample --noise NOISE --out FILE.npy` ([0, 1])")
    args = parser.parse_args()
    net, config = load(args.generator)
    z = torch.from_numpy(np.load(args.noise)) if args.noise else torch.randn(16, config["model"]["noise_dim"])
    with torch.no_grad():
        images = net(z)
    print(f"{config['model']['architecture']} generator: z {tuple(z.shape)} -> images {tuple(images.shape)}")
    if args.compare:
        low = -1.0 if config["pixel_range"] == "minus_one_one" else 0.0
        ours = images.reshape(images.shape[0], -1).numpy()
        ours = (ours - low) / (1.0 - low)          # `sample --out .npy` writes [0, 1]
        theirs = np.load(args.compare)
        print(f"max |PyTorch - SharpGAN| = {np.abs(ours - theirs).max():.3g} over {theirs.size} values")


if __name__ == "__main__":
    main()
