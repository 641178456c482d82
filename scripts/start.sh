#!/usr/bin/env bash
# Sets up and starts tsdl: installs the project's dependencies (scripts/setup.sh), builds,
# registers the `tsdl` kernel in the project's .venv and opens JupyterLab on notebooks/.
# Extra arguments go to `jupyter lab` (e.g. --no-browser --port 8890).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh
bash scripts/build.sh

if ! node scripts/check-webgpu.mjs 2>/dev/null; then
  echo "note: no WebGPU adapter here, so tsdl runs on its CPU backend."
  echo "      On Debian 12 without a GPU, 'sudo bash scripts/setup-system.sh' installs one (lavapipe)."
fi

export PATH="$PWD/.venv/bin:$PATH" VIRTUAL_ENV="$PWD/.venv"
[[ -f kernel/dist/src/cli.js ]] || { echo "ERROR: kernel/dist/src/cli.js is missing: the kernel did not build" >&2; exit 1; }
node kernel/dist/src/cli.js install --sys-prefix
mkdir -p notebooks  # git keeps no empty folder
extra=()
[[ $(id -u) -eq 0 ]] && extra+=(--allow-root)  # containers and CI machines often run as root
exec jupyter lab notebooks/ "${extra[@]}" "$@"
