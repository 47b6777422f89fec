#!/usr/bin/env bash
# Backend benchmark: enqueue latency and rate, drain of queued records to the receiver,
# then concurrent clients (records/s, p50/p99).
#   bash bench/backend.sh [ENQUEUE_N=2000] [DRAIN_N=10000] [CONCURRENT_N=2000] [CLIENTS=8]
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -q --example bench_backend
target/release/examples/bench_backend "${1:-2000}" "${2:-10000}" "${3:-2000}" "${4:-8}"
