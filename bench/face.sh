#!/usr/bin/env bash
# The card face on the station's side: parse EF 0002, decode the photo and a text image, draw
# the photo as sixel / kitty / half-blocks (time per round and bytes sent). Figures only.
#
#   bash bench/face.sh [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."
cargo run --release -q --example bench_face -- "${1:-50}"
