#!/usr/bin/env bash
# Runs the Python package's tests from the repository root and ends with one plain line,
# `python: N passed, N failed` (errors count as failed), for `make test` to read.
# Exits with pytest's status.
set -uo pipefail
cd "$(dirname "$0")/.."

log=$(mktemp)
trap 'rm -f "$log"' EXIT
# The first python3 that has pytest and numpy: the one on PATH, else Debian's
# (scripts/install-deps.sh installs python3-pytest and python3-numpy for it).
python=""
for candidate in python3 /usr/bin/python3; do
    if "$candidate" -c "import pytest, numpy" 2>/dev/null; then python=$candidate; break; fi
done
if [ -z "$python" ]; then
    echo "python: no python3 with pytest and numpy (scripts/install-deps.sh installs them)"
    echo "python: 0 passed, 1 failed"
    exit 1
fi
"$python" -m pytest -q python/tests "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

summary=$(grep -E '^(=+ )?[0-9]+ (passed|failed|error|errors|skipped)|no tests ran' "$log" | tail -n 1)
count() { grep -oE "[0-9]+ $1" <<<"$summary" | grep -oE '^[0-9]+' || echo 0; }
passed=$(count passed)
failed=$(( $(count failed) + $(count errors) + $(count error) ))
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
    failed=1  # pytest could not run (collection or usage error)
fi
echo "python: $passed passed, $failed failed"
exit "$status"
