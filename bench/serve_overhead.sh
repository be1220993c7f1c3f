#!/usr/bin/env bash
# What `train --serve` costs training: the same short mnist-paper run (STEPS iterations) without a dashboard, and with
# one that PAGES simulated pages follow (each long-polls /api/run and fetches the newest grid whenever it changes, as
# dashboard.js does), alternating REPEATS times. Prints each run's wall time and the mean slowdown.
#   bash bench/serve_overhead.sh [STEPS=2000] [PAGES=4] [REPEATS=2]
set -euo pipefail
steps=${1:-2000}; pages=${2:-4}; repeats=${3:-2}
sharpgan="$(dirname "$0")/../src/SharpGan.Cli/bin/Release/net10.0/sharpgan"
out=$(mktemp -d)
trap 'rm -rf "$out"; kill $(jobs -p) 2>/dev/null || true' EXIT
follow() { # one simulated dashboard page
  local version=-1 count=0
  while true; do
    status=$(curl -s --max-time 15 "http://127.0.0.1:8782/api/run?after=$version") || { sleep 0.2; continue; }
    version=$(echo "$status" | grep -o '"version":-\?[0-9]*' | head -1 | cut -d: -f2)
    count=$(echo "$status" | grep -o '"samples":\[[^]]*\]' | tr ',' '\n' | grep -c png || true)
    [ "$count" -gt 0 ] && curl -s -o /dev/null "http://127.0.0.1:8782/api/run/samples/$((count - 1))"
    [ -z "$version" ] && version=-1
  done
}
plain=(); served=()
for r in $(seq "$repeats"); do
  start=$(date +%s.%N)
  "$sharpgan" train --preset mnist-paper --max-steps "$steps" --sample-every 250 --out "$out/plain$r" --force > /dev/null
  plain+=($(echo "$(date +%s.%N) - $start" | bc))
  start=$(date +%s.%N)
  "$sharpgan" train --preset mnist-paper --max-steps "$steps" --sample-every 250 --out "$out/served$r" --force --serve 8782 > /dev/null &
  trainer=$!
  sleep 1
  for p in $(seq "$pages"); do follow & done
  wait $trainer
  served+=($(echo "$(date +%s.%N) - $start" | bc))
  kill $(jobs -p | grep -v "^$trainer$") 2>/dev/null || true
  wait 2>/dev/null || true
done
echo "without dashboard (s): ${plain[*]}"
echo "with dashboard and $pages pages (s): ${served[*]}"
python3 -c "import sys; p=[float(x) for x in '${plain[*]}'.split()]; s=[float(x) for x in '${served[*]}'.split()]; print(f'slowdown: {100*(sum(s)/len(s)/(sum(p)/len(p))-1):+.1f} %')"
