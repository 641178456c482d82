#!/usr/bin/env bash
# End-to-end tests across parts: the JupyterLab UI tests (real jupyter lab, real tsdl kernel,
# Debian's headless Chromium; they print "ui: N passed, N failed") and the teaching notebooks in
# notebooks/, executed through the real kernel with nbclient (pytest prints its summary line).
# Both always run; the script fails when either fails.
set -euo pipefail
cd "$(dirname "$0")/../.."
rc=0
bash test/ui/run.sh || rc=1
.venv/bin/python -m pytest -p no:cacheprovider test/notebooks || rc=1
exit "$rc"
