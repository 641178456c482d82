#!/usr/bin/env bash
# All kernel tests: build, mocha (unit + the real kernel over ZeroMQ), then the Python side
# (jupyter_kernel_test conformance suite and an nbclient notebook run) from the project venv.
#   bash kernel/scripts/test.sh        (from anywhere; VENV overrides the venv location)
set -uo pipefail
KERNEL_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ROOT="$(cd "$KERNEL_DIR/.." && pwd)"
VENV="${VENV:-$ROOT/.venv}"

if [ ! -x "$VENV/bin/python" ]; then
  echo "kernel tests need the Python venv at $VENV (pip install jupyter_client jupyter_kernel_test nbclient nbformat pytest)" >&2
  exit 1
fi

cd "$KERNEL_DIR"
npx tsc -b || exit 1
# Both suites run even if the first fails; the exit status reports either failure.
status=0
npx mocha || status=1
"$VENV/bin/python" -m pytest -q -p no:cacheprovider test/python || status=1
exit $status
