#!/usr/bin/env bash
# Side-by-side: the same training iteration in SharpGAN and in PyTorch (CPU, same thread count), one after
# the other, and the ratio. Usage: bench/compare.sh [paper-mlp] [threads]
# Needs Debian's python3-torch (apt-get install -y python3-torch) for the PyTorch half.
set -euo pipefail
model=${1:-paper-mlp}
threads=${2:-$(nproc)}
cd "$(dirname "$0")/.."
dotnet build -c Release bench/SharpGan.Bench -v q -nologo >/dev/null
sharpgan=$(dotnet bench/SharpGan.Bench/bin/Release/net10.0/SharpGan.Bench.dll gan-step "$model" --threads "$threads" | tail -n 1 | cut -d= -f2)
pytorch=$(/usr/bin/python3 bench/pytorch_gan_step.py --model "$model" --threads "$threads" | tail -n 1 | cut -d= -f2)
echo "model=$model threads=$threads sharpgan_ms_per_iter=$sharpgan pytorch_ms_per_iter=$pytorch"
echo "speedup_vs_pytorch=$(/usr/bin/python3 -c "print(f'{$pytorch / $sharpgan:.2f}')")"
