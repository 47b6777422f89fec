#!/usr/bin/env bash
# Runs every cargo-fuzz target for N seconds (default 60) and prints, per target, the
# executions, the corpus size and the crashes found. Needs the nightly toolchain and
# cargo-fuzz (`cargo install cargo-fuzz`). Crashes land in fuzz/artifacts/<target>/; copy one
# to fuzz/regressions/<target>/ so `cargo test` (tests/fuzz_corpora.rs) replays it for ever.
#   bench/fuzz.sh 600            # ten minutes each
#   bench/fuzz.sh 60 san ef02    # some targets
set -euo pipefail
cd "$(dirname "$0")/.."
secs="${1:-60}"
shift || true
targets=("$@")
if ((${#targets[@]} == 0)); then
    targets=(ef02 card_answers card_face san sealed jwe receiver carry)
fi
[ -n "$(ls fuzz/corpus/ef02 2>/dev/null)" ] || cargo run -q --example fuzz_seeds
# Build once, then run the binaries directly (a source edit during a long run must not
# trigger a rebuild half-way).
(cd fuzz && cargo +nightly fuzz build >/dev/null 2>&1) || (cd fuzz && cargo +nightly fuzz build)
bin="fuzz/target/x86_64-unknown-linux-gnu/release"
printf '%-14s %12s %10s %8s %8s\n' target execs exec/s corpus crashes
for t in "${targets[@]}"; do
    log="$(mktemp)"
    mkdir -p "fuzz/corpus/$t" "fuzz/artifacts/$t"
    before=$(ls "fuzz/artifacts/$t" | wc -l)
    # -rss_limit: a target must not grow without bound; -timeout: a hang is a finding too.
    "$bin/$t" "fuzz/corpus/$t" -artifact_prefix="fuzz/artifacts/$t/" \
        -max_total_time="$secs" -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 >"$log" 2>&1 || true
    execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo 0)
    rate=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo 0)
    after=$(ls "fuzz/artifacts/$t" | wc -l)
    printf '%-14s %12s %10s %8s %8s\n' "$t" "${execs:-0}" "${rate:-0}" "$(ls "fuzz/corpus/$t" | wc -l)" "$((after - before))"
    if ((after > before)); then
        grep -m3 -E 'panicked|ERROR' "$log" || true
    fi
    rm -f "$log"
done
