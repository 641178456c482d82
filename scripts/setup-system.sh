#!/usr/bin/env bash
# System packages that tsdl's tests need on Debian 12, installed as root:
#   - Mesa's lavapipe Vulkan driver from bookworm-backports (Mesa 25), so Dawn has a WebGPU
#     adapter on a machine without a GPU. bookworm's own Mesa 22 lacks a Vulkan feature Dawn
#     requires, and Dawn then finds no adapter.
#   - Chromium, for the JupyterLab UI tests (driven headless through playwright-core).
#   - python3-venv, for the project's .venv.
# Fast when everything is present (no apt-get update then); fails loudly otherwise.
set -euo pipefail

# Prints the installed version of a Debian package, or nothing (never fails: set -e is on).
installed_version() { { dpkg-query -W -f='${Status} ${Version}\n' "$1" 2>/dev/null || true; } | awk '/install ok installed/ {print $4}'; }

missing=()
mesa=$(installed_version mesa-vulkan-drivers)
if [[ -z $mesa ]] || ! dpkg --compare-versions "$mesa" ge 24; then missing+=(mesa); fi
[[ -n $(installed_version libvulkan1) ]] || missing+=(mesa)
[[ -n $(installed_version chromium) ]] || missing+=(chromium)
python3 -c 'import ensurepip, venv' 2>/dev/null || missing+=(python3-venv)

if ((${#missing[@]} == 0)); then
  echo "system packages: present (mesa-vulkan-drivers $mesa, chromium, python3-venv)"
  exit 0
fi

echo "system packages: installing ${missing[*]}"
if [[ $(id -u) -ne 0 ]]; then
  echo "ERROR: installing system packages needs root (run: sudo bash scripts/setup-system.sh)" >&2
  exit 1
fi
if ! grep -qs 'VERSION_CODENAME=bookworm' /etc/os-release; then
  echo "ERROR: scripts/setup-system.sh knows Debian 12 (bookworm) only; install Mesa >= 24 with its" >&2
  echo "       Vulkan drivers (or a GPU's Vulkan driver), Chromium and python3-venv by hand." >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive

# bookworm-backports from the machine's own Debian mirror, as DESIGN.md "Machines" shows.
if ! grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
  uri=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
  uri=${uri:-http://deb.debian.org/debian}
  printf 'Types: deb\nURIs: %s\nSuites: bookworm-backports\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' "$uri" \
    > /etc/apt/sources.list.d/backports.sources
fi
apt-get update
packages=()
for m in "${missing[@]}"; do
  case $m in
    chromium) packages+=(chromium) ;;
    python3-venv) packages+=(python3-venv) ;;
  esac
done
if [[ " ${missing[*]} " == *" mesa "* ]]; then
  apt-get install -y -t bookworm-backports mesa-vulkan-drivers libvulkan1
fi
if ((${#packages[@]} > 0)); then
  apt-get install -y "${packages[@]}"
fi

mesa=$(installed_version mesa-vulkan-drivers)
if [[ -z $mesa ]] || ! dpkg --compare-versions "$mesa" ge 24; then
  echo "ERROR: mesa-vulkan-drivers is '${mesa:-missing}' after installing; Dawn needs Mesa >= 24 (bookworm-backports)" >&2
  exit 1
fi
echo "system packages: installed (mesa-vulkan-drivers $mesa)"
