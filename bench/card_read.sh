#!/usr/bin/env bash
# APDUs and wall time of `madoguchi read` and `madoguchi cert sign` through a real pcscd +
# vpcd virtual card, against the minimum APDU count, and OpenSC's pkcs15-tool reading the same
# signing certificate. Needs pcscd running with vsmartcard-vpcd (see .ci/run).
#
#   bash bench/card_read.sh [ROUNDS] [APDU_DELAY_MS]
#
# APDU_DELAY_MS adds a per-APDU delay in the card (a real contactless card costs 30-200 ms per
# APDU; see docs), so the effect of the APDU count on wall time is visible.
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS="${1:-20}"
DELAY="${2:-0}"
cargo build --release -q
BIN=target/release/madoguchi
READER="Virtual PCD 00 00"
WORK=$(mktemp -d)
trap 'kill $VC 2>/dev/null || true; rm -rf "$WORK"' EXIT

$BIN vcard --profile yamada --apdu-delay-ms "$DELAY" --stats "$WORK/stats.json" 2>/dev/null &
VC=$!
for _ in $(seq 1 100); do $BIN readers --json | grep -q '"card_present":true' && break; sleep 0.1; done

apdus() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["apdus"])' "$WORK/stats.json"; }

measure() { # label, stdin, command...
    local label=$1 input=$2; shift 2
    local before after times=()
    before=$(apdus)
    for _ in $(seq 1 "$ROUNDS"); do
        local t0 t1
        t0=$(date +%s%N)
        printf '%s\n' "$input" | "$@" >/dev/null 2>&1 || { echo "$label failed"; exit 1; }
        t1=$(date +%s%N)
        times+=($(( (t1 - t0) / 1000 )))
    done
    after=$(apdus)
    printf '%s\n' "${times[@]}" | sort -n | awk -v label="$label" -v n="$ROUNDS" -v a="$(( (after - before) / ROUNDS ))" '
        { v[NR] = $1 } END { printf "%-34s APDUs/run %3d   median %7.1f ms   p90 %7.1f ms   (n=%d)\n", label, a, v[int(NR/2)+1]/1000, v[int(NR*0.9)]/1000, n }'
}

echo "rounds=$ROUNDS apdu_delay_ms=$DELAY"
echo "minimum APDUs: read = 6 (SELECT AP, SELECT PIN, tries query, VERIFY, SELECT EF02, READ);"
echo "               cert sign = 6 with extended length (SELECT AP, SELECT PW, query, VERIFY, SELECT EF, 1 READ)"
measure "madoguchi read --json" 1234 $BIN read --reader "$READER" --json
measure "madoguchi cert sign" ABC123 $BIN cert sign --reader "$READER"
if command -v pkcs15-tool >/dev/null; then
    measure "pkcs15-tool --read-certificate 02" "" pkcs15-tool --reader 0 --read-certificate 02 --verify-pin --auth-id 02 --pin ABC123
fi
