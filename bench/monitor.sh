#!/usr/bin/env bash
# Reader monitor benchmark: idle CPU of `diagnose --watch` and insertion/removal -> event time
# through a real pcscd + vpcd ("Virtual PCD 00 00" must be free).
#
#   bash bench/monitor.sh [IDLE_SECS=30] [CYCLES=50]
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -q --bin madoguchi --example bench_monitor
target/release/examples/bench_monitor target/release/madoguchi "${1:-30}" "${2:-50}"
