#!/usr/bin/env bash
# End-to-end tests across parts: the JupyterLab UI tests (real jupyter lab, real tsdl kernel,
# Debian's headless Chromium). They print "ui: N passed, N failed".
set -euo pipefail
cd "$(dirname "$0")/../.."
bash test/ui/run.sh
