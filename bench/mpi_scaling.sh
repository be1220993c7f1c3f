#!/usr/bin/env bash
# Data parallelism on this machine: the same mnist-paper training (STEPS iterations, global batch 100) as one process
# with 2 threads, and as 2 processes with 1 thread each under Open MPI (and MPICH when installed), REPEATS times each,
# alternating. Prints ms per iteration from each run's own timing ("finished N steps … in S s") and, for the MPI runs,
# the gradient allreduce's share that the trainer reports.
#   bash bench/mpi_scaling.sh [STEPS=1000] [REPEATS=3]
set -euo pipefail
steps=${1:-1000}; repeats=${2:-3}
dll="$(cd "$(dirname "$0")/.." && pwd)/src/SharpGan.Cli/bin/Release/net10.0/SharpGan.Cli.dll"
out=$(mktemp -d); trap 'rm -rf "$out"' EXIT
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
args=(train --preset mnist-paper --max-steps "$steps" --checkpoint-every 100000 --sample-every 100000)
report() { # label, output of one run
  local line; line=$(grep -o 'finished [0-9]* steps.*' <<<"$2" | head -1)
  local seconds; seconds=$(grep -o ' in [0-9]* s' <<<"$line" | grep -o '[0-9]*')
  local share; share=$(grep -o 'allreduce [0-9.]* s ([0-9.]* %' <<<"$line" | grep -o '([0-9.]* %' | tr -d '(' || true)
  echo "$1: $(echo "scale=1; 1000 * $seconds / $steps" | bc) ms/iteration${share:+, allreduce $share}"
}
for r in $(seq "$repeats"); do
  report "1 process × 2 threads" "$(dotnet "$dll" "${args[@]}" --threads 2 --out "$out/one$r")"
  report "2 processes × 1 thread (Open MPI)" "$(mpirun.openmpi --oversubscribe -np 2 dotnet "$dll" "${args[@]}" --threads 1 --out "$out/ompi$r")"
  if command -v mpirun.mpich >/dev/null; then
    report "2 processes × 1 thread (MPICH)" "$(mpirun.mpich -np 2 dotnet "$dll" "${args[@]}" --threads 1 --out "$out/mpich$r")"
  fi
done
