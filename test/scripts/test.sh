#!/usr/bin/env bash
# End-to-end tests across parts: the JupyterLab UI tests (real jupyter lab, real tsdl kernel,
# Debian's headless Chromium; they print "ui: N passed, N failed") and, in one pytest run, the
# teaching notebooks in notebooks/ executed through the real kernel with nbclient
# (test_notebooks.py), the Colab-style bootstrap run as a new user would (test_bootstrap.py;
# its second case downloads Node.js from PyPI) and Binder's binder/postBuild run in a fresh clone
# and prefix, then `jupyter lab` from that prefix running a tsdl cell (test_postbuild.py).
# Both always run; the script fails when either fails. It ends with one line
# "test: N passed, N failed" adding both up: scripts/test.sh counts only a suite's last such
# line, so without it the pytest results would be hidden behind the UI tests' line.
set -uo pipefail
cd "$(dirname "$0")/../.."
logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT
rc=0

bash test/ui/run.sh 2>&1 | tee "$logs/ui.log"
((PIPESTATUS[0] == 0)) || rc=1
.venv/bin/python -m pytest -p no:cacheprovider test/notebooks 2>&1 | tee "$logs/pytest.log"
((PIPESTATUS[0] == 0)) || rc=1

sum_of() { grep -oE "[0-9]+ ($1)" <<<"$2" | awk '{s += $1} END {print s + 0}'; }
ui=$(grep -E '^ui: [0-9]+ passed, [0-9]+ failed' "$logs/ui.log" | tail -n 1)
py=$(grep -E '^=+ .*[0-9]+ (passed|failed|errors?|skipped).* in [0-9.]+s' "$logs/pytest.log" | tail -n 1)
passed=$(($(sum_of passed "$ui") + $(sum_of passed "$py")))
failed=$(($(sum_of failed "$ui") + $(sum_of 'failed|errors?' "$py")))
skipped=$(sum_of skipped "$py")
# A part that died before printing its summary counts as one failure.
[[ -n $ui ]] || failed=$((failed + 1))
[[ -n $py ]] || failed=$((failed + 1))
echo
if ((skipped > 0)); then
  echo "test: $passed passed, $failed failed, $skipped skipped"
else
  echo "test: $passed passed, $failed failed"
fi
exit "$rc"
