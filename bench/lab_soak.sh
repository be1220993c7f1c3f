#!/usr/bin/env bash
# Soak of `sharpgan lab`: PAGES clients that long-poll frames and hang up at random moments (closed tabs, reloads),
# for MINUTES minutes, while the game plays. Prints the server's resident memory (RSS) and thread count every 30 s.
#   bash bench/lab_soak.sh [MINUTES=10] [PAGES=20] [PORT=8781]
set -euo pipefail
minutes=${1:-10}; pages=${2:-20}; port=${3:-8781}
sharpgan="$(dirname "$0")/../src/SharpGan.Cli/bin/Release/net10.0/sharpgan"
"$sharpgan" lab --port "$port" > /dev/null &
server=$!
trap 'kill $server 2>/dev/null; kill $(jobs -p) 2>/dev/null || true' EXIT
sleep 3
end=$((SECONDS + minutes * 60))
for p in $(seq "$pages"); do
  ( while [ $SECONDS -lt $end ]; do
      curl -s -o /dev/null --max-time "0.$((RANDOM % 9 + 1))" "http://127.0.0.1:$port/api/lab/frame?after=$RANDOM" || true
    done ) &
done
requests_note="each client reconnects after 0.1–0.9 s"
echo "minute rss_mb threads ($pages clients; $requests_note)"
while [ $SECONDS -lt $end ]; do
  rss=$(awk '/VmRSS/ {print int($2 / 1024)}' /proc/$server/status)
  threads=$(awk '/Threads/ {print $2}' /proc/$server/status)
  echo "$(( (SECONDS) / 60 )) $rss $threads"
  sleep 30
done
