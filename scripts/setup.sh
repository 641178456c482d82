#!/usr/bin/env bash
# The project's own dependencies, on any machine with Node >= 20 and Python >= 3.10:
#   - node_modules from package-lock.json (npm ci), redone only when the lock file changed;
#   - the Python virtualenv .venv with JupyterLab and the Jupyter test tools from
#     scripts/requirements.txt, redone only when that file changed.
# System packages (the WebGPU driver, Chromium) are scripts/setup-system.sh's job.
set -euo pipefail
cd "$(dirname "$0")/.."

fail() { echo "ERROR: $*" >&2; exit 1; }
hash_of() { sha256sum "$@" | sha256sum | cut -c1-16; }

command -v node >/dev/null || fail "Node.js >= 20 is needed (https://nodejs.org)"
node -e 'process.exit(+process.versions.node.split(".")[0] >= 20 ? 0 : 1)' || fail "Node.js >= 20 is needed, found $(node -v)"
command -v python3 >/dev/null || fail "Python >= 3.10 is needed"
python3 -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else 1)' || fail "Python >= 3.10 is needed, found $(python3 -V)"

# -- npm -------------------------------------------------------------------------------------
stamp=node_modules/.tsdl-lock-hash
want=$(hash_of package-lock.json package.json */package.json)
if [[ -f $stamp && $(cat "$stamp") == "$want" ]]; then
  echo "node_modules: up to date"
else
  echo "node_modules: npm ci"
  npm ci --no-audit --no-fund
  echo "$want" > "$stamp"
fi

# Packages outside the npm workspaces that keep their own lock file (e.g. the labextension).
for d in labextension test; do
  [[ -f $d/package-lock.json ]] || continue
  node -e "process.exit((require('./package.json').workspaces ?? []).includes('$d') ? 0 : 1)" && continue
  stamp=$d/node_modules/.tsdl-lock-hash
  want=$(hash_of "$d/package-lock.json" "$d/package.json")
  if [[ -f $stamp && $(cat "$stamp") == "$want" ]]; then
    echo "$d/node_modules: up to date"
  else
    echo "$d/node_modules: npm ci"
    (cd "$d" && npm ci --no-audit --no-fund)
    mkdir -p "$d/node_modules"
    echo "$want" > "$stamp"
  fi
done

# -- Python venv -----------------------------------------------------------------------------
stamp=.venv/.tsdl-requirements-hash
want=$(hash_of scripts/requirements.txt)
if [[ -x .venv/bin/python && -f $stamp && $(cat "$stamp") == "$want" ]]; then
  echo ".venv: up to date"
else
  echo ".venv: installing scripts/requirements.txt"
  [[ -x .venv/bin/python ]] || python3 -m venv .venv || fail "python3 -m venv failed (on Debian: apt-get install python3-venv)"
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -r scripts/requirements.txt
  echo "$want" > "$stamp"
fi
