#!/usr/bin/env bash
# Receiver storage benchmark: SQLite one receiver, PostgreSQL one and two receivers, STATIONS
# concurrent mTLS stations on loopback (records/s, p50/p99, CPU split). PostgreSQL is a private
# initdb cluster in a temp dir (Debian's postgresql package; as root it runs as postgres).
#   bash bench/stores.sh [N=300 records per station] [STATIONS=8]
# Measured (release, 8 stations × 500, 2 shared cores at 100% busy with other work, two runs):
#   SQLite one receiver      2620–2960 records/s, p50 2.0–2.1 ms, p99 13.5–16.5 ms
#   PostgreSQL one receiver  1890–2820 records/s, p50 2.1–2.3 ms, p99 10.6–16.0 ms
#   PostgreSQL two receivers 2350–2600 records/s, p50 1.7–1.9 ms, p99 19.5–23.3 ms
# CPU-bound: the machine is saturated; receivers+stations (TLS, JSON) take 30–50 % of the two
# cores and PostgreSQL's backends 20–30 %. A second receiver on the same two cores adds no
# capacity; it pays off on hosts of its own.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -q --example bench_stores
target/release/examples/bench_stores "${1:-300}" "${2:-8}"
