#!/usr/bin/env bash
# Builds the fuzz package (fuzz/, libFuzzer + AddressSanitizer, release) and runs every
# fuzz target for SECONDS seconds (default 15), one after the other, each from a copy of
# its seed corpus (fuzz/corpus/<target>/) so that the repository stays as it is. Ends
# with one line, "fuzz: N passed, N failed". A target that crashes (a trap, an overflow,
# a failed check, a memory error, a hang past 10 s on one input, a leak) fails: its
# report and the crashing input, as hex, are printed, and the input is kept under the
# artifacts folder named at the end.
#
#   scripts/run-fuzz.sh [SECONDS] [TARGET...]
#
# FUZZ_BUILD: the build folder (default fuzz/.build). FUZZ_ARGS: extra libFuzzer flags.
set -uo pipefail
cd "$(dirname "$0")/.."

duration=${1:-15}
shift $(( $# > 0 ? 1 : 0 ))
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    targets=(FIXFrameFuzzer FIXSessionFuzzer OUCHSessionFuzzer MoldUDP64RequestFuzzer SnapshotRequestFuzzer SignalRecordFuzzer)
fi
build=${FUZZ_BUILD:-fuzz/.build}

# -sanitize=fuzzer instruments every Swift module for coverage and links libFuzzer;
# address adds AddressSanitizer, which the unsafe-pointer codecs need (an out-of-bounds
# read is not checked in an optimised build otherwise); -enable-testing lets a target
# `@testable import Gateway` to reach an internal type (SignalRecord).
build_start=$(date +%s)
if ! swift build -c release --package-path fuzz --scratch-path "$build" \
    -Xswiftc -sanitize=fuzzer,address -Xswiftc -enable-testing; then
    echo "fuzz: the fuzz package does not build"
    echo "fuzz: 0 passed, ${#targets[@]} failed"
    exit 1
fi
bin=$(swift build -c release --package-path fuzz --scratch-path "$build" --show-bin-path \
    -Xswiftc -sanitize=fuzzer,address -Xswiftc -enable-testing)
echo "fuzz: built in $(( $(date +%s) - build_start )) s"

work=$(mktemp -d "${TMPDIR:-/tmp}/cift-fuzz.XXXXXX")
keep_work=0
# The session targets write their stores afresh for every input: on tmpfs where there is
# one, that costs no disk.
stores=$(mktemp -d /dev/shm/cift-fuzz-stores.XXXXXX 2>/dev/null || mktemp -d "$work/stores.XXXXXX")
trap 'rm -rf "$stores"; [ "$keep_work" = 1 ] || rm -rf "$work"' EXIT

# Swift's own crash backtracer symbolicates at length before libFuzzer may report the
# crash; libFuzzer and AddressSanitizer print the stack themselves.
export SWIFT_BACKTRACE=enable=no
export CIFT_FUZZ_SCRATCH="$stores"
export CIFT_REPOSITORY="$PWD"

passed=0
failed=0
for target in "${targets[@]}"; do
    corpus="$work/corpus/$target"
    artifacts="$work/artifacts/$target"
    mkdir -p "$corpus" "$artifacts"
    cp fuzz/corpus/"$target"/* "$corpus"/ 2>/dev/null
    log="$work/$target.log"
    dictionary=()
    if [ -f "fuzz/dictionaries/$target.dict" ]; then dictionary=(-dict="fuzz/dictionaries/$target.dict"); fi
    # shellcheck disable=SC2086
    "$bin/$target" -max_total_time="$duration" -timeout=10 -rss_limit_mb=4096 -print_final_stats=1 \
        -artifact_prefix="$artifacts/" "${dictionary[@]}" ${FUZZ_ARGS:-} "$corpus" >"$log" 2>&1
    status=$?
    runs=$(grep -a -m1 'stat::number_of_executed_units' "$log" | awk '{print $2}')
    coverage=$(grep -a -o 'cov: [0-9]*' "$log" | tail -1)
    if [ $status -eq 0 ]; then
        passed=$((passed + 1))
        echo "fuzz: $target passed: ${runs:-?} inputs in ${duration} s, ${coverage:-cov: ?}, corpus $(ls "$corpus" | wc -l) inputs"
    else
        failed=$((failed + 1))
        keep_work=1
        echo "fuzz: $target FAILED (exit $status)"
        grep -a -v '^#[0-9]' "$log" | tail -60
        for input in "$artifacts"/*; do
            [ -f "$input" ] || continue
            echo "fuzz: $target crashing input $input ($(wc -c <"$input") bytes):"
            od -An -tx1 -v "$input" | head -64
        done
    fi
done
if [ "$keep_work" = 1 ]; then echo "fuzz: logs, corpora and crashing inputs kept in $work"; fi
echo "fuzz: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
