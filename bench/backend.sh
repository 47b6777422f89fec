#!/usr/bin/env bash
# Backend benchmark: enqueue latency and rate, drain of queued records to the receiver.
#   bash bench/backend.sh [ENQUEUE_N=2000] [DRAIN_N=10000]
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -q --example bench_backend
target/release/examples/bench_backend "${1:-2000}" "${2:-10000}"
