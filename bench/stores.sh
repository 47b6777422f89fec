#!/usr/bin/env bash
# Receiver storage benchmark: SQLite one receiver, PostgreSQL one and two receivers, STATIONS
# concurrent mTLS stations on loopback (records/s, p50/p99, CPU split). Records are signed by
# virtual cards (made before the clock starts), so each is verified in full — chain, validity,
# signature, card data against the certificate — then stored; add `unsigned` to measure the
# store alone. PostgreSQL is a private initdb cluster per run in a temp dir (Debian's
# postgresql package; as root it runs as postgres).
#   bash bench/stores.sh [N=300 records per station] [STATIONS=8] [unsigned]
# Measured (release, 8 stations × 500, this 2-core VM otherwise idle, two runs, session 4):
#   signed (verified and stored):
#   SQLite one receiver      1407–1433 records/s, p50 5.4 ms, p99 11.8–12.3 ms  (machine 80–83 % busy)
#   PostgreSQL one receiver  1189–1271 records/s, p50 6.1–6.5 ms, p99 10.4–11.3 ms (93–95 %)
#   PostgreSQL two receivers 1206–1219 records/s, p50 6.2–6.3 ms, p99 12.7–13.2 ms (94–96 %)
#   unsigned (the store alone; session 3):
#   SQLite one receiver      1939–1987 records/s, p50 3.7–3.9 ms, p99 9.0–9.4 ms   (66–68 %)
#   PostgreSQL one receiver  2210–2313 records/s, p50 3.2–3.4 ms, p99 6.1–7.0 ms   (88–89 %)
#   PostgreSQL two receivers 2001–2057 records/s, p50 3.6–3.7 ms, p99 8.2–9.3 ms   (91–92 %)
# The CPU limits every signed run: verification, TLS and the eight stations share two cores,
# and PostgreSQL's backends take a third of them (~32 %), which SQLite, in process, does not:
# so here one SQLite receiver is ahead. The store alone (unsigned) shows the other side:
# SQLite is bound by its single writer's synced commit (CPU not saturated) and PostgreSQL
# beats it. A second receiver on the same two cores adds no capacity; receivers on hosts of
# their own, sharing one PostgreSQL, add their cores to verification, which is what bounds
# the signed rate.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -q --example bench_stores
target/release/examples/bench_stores "${1:-300}" "${2:-8}" ${3:-}
