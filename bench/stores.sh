#!/usr/bin/env bash
# Receiver storage benchmark: SQLite one receiver, PostgreSQL one and two receivers, STATIONS
# concurrent mTLS stations on loopback (records/s, p50/p99, CPU split). PostgreSQL is a private
# initdb cluster in a temp dir (Debian's postgresql package; as root it runs as postgres).
#   bash bench/stores.sh [N=300 records per station] [STATIONS=8]
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -q --example bench_stores
target/release/examples/bench_stores "${1:-300}" "${2:-8}"
