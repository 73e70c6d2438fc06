#!/usr/bin/env bash
# The demo's throughput with actor insight on the shards' send path, and with
# `--plain-shards` (the same shards reached through their plain addresses), under wrk
# on loopback: one shard, one HTTP worker, the demo pinned to core 0 and wrk to core 1,
# 5 rounds of 8 s each, the two modes back to back in every round. Prints one line per
# run and the per-round ratios (BENCHMARKS.md). Needs `wrk` (`apt-get install wrk`).
set -euo pipefail
cd "$(dirname "$0")/.."
command -v wrk >/dev/null || { echo "needs wrk: apt-get install wrk" >&2; exit 1; }
cargo build --release -q -p actorscope-collectors --bin demo
port=18181
log=$(mktemp)
for round in 1 2 3 4 5; do
  for mode in plain insight; do
    flag=""; [ "$mode" = plain ] && flag="--plain-shards"
    taskset -c 0 target/release/demo --bind 127.0.0.1:$port --shards 1 --workers 1 $flag >/dev/null 2>&1 &
    pid=$!
    for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$port/metrics" && break; sleep 0.1; done
    curl -s -o /dev/null -X PUT --data-binary hello "http://127.0.0.1:$port/kv/k1"
    rps=$(taskset -c 1 wrk -t1 -c32 -d8s "http://127.0.0.1:$port/kv/k1" | awk '/Requests\/sec/ {print $2}')
    echo "round $round $mode $rps" | tee -a "$log"
    kill -INT $pid; wait $pid 2>/dev/null || true
  done
done
python3 - "$log" <<'PY'
import statistics, sys
rows = [line.split() for line in open(sys.argv[1])]
for mode in ("plain", "insight"):
    print(mode, "median", statistics.median(float(r[3]) for r in rows if r[2] == mode), "req/s")
ratios = [float(b[3]) / float(a[3]) for a, b in zip(rows[0::2], rows[1::2])]
print("insight / plain per round:", [round(r, 3) for r in ratios], "median", round(statistics.median(ratios), 3))
PY
rm -f "$log"
