#!/usr/bin/env bash
# The JupyterLab UI tests: builds what they need when it is missing or older than its sources
# (the kernel and the prebuilt extension), then runs test/ui/*.test.mjs with node's test runner
# against a real `jupyter lab` and Debian's headless Chromium. Screenshots: test-artifacts/ui/.
# Needs: npm ci at the root, the venv .venv with JupyterLab, /usr/bin/chromium.
set -euo pipefail
cd "$(dirname "$0")/../.."

[[ -x .venv/bin/jupyter ]] || { echo "ERROR: .venv/bin/jupyter missing (run scripts/setup.sh)" >&2; exit 1; }
[[ -x /usr/bin/chromium ]] || { echo "ERROR: /usr/bin/chromium missing (apt-get install -y chromium)" >&2; exit 1; }

# tsc -b is incremental: quick when nothing changed.
npx tsc -b kernel labextension

# The prebuilt extension is rebuilt when any of its inputs is newer than its remoteEntry.
out=labextension/tsdl_labextension/labextension
entry=$(ls "$out"/static/remoteEntry.*.js 2>/dev/null | head -n 1 || true)
if [[ -z $entry ]] || [[ -n $(find labextension/lib labextension/style labextension/schema labextension/package.json -newer "$entry" -print -quit) ]]; then
  npm run build:labextension -w labextension
fi

mkdir -p test-artifacts/ui
log=$(mktemp)
trap 'rm -f "$log"' EXIT
set +e
node --test --test-concurrency=1 --test-reporter=spec test/ui/*.test.mjs 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
set -e
# One plain closing line that scripts/test.sh (and CI) can count.
count() { awk -v k="$1" '$1 == "ℹ" && $2 == k {print $3}' "$log" | tail -n 1; }
echo "ui: $(count pass || echo 0) passed, $(count fail || echo 0) failed"
exit "$rc"
