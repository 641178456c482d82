#!/usr/bin/env bash
# `npm run sz`: lines of source per folder, and the files past 300 lines (STYLE.md: split past 500).
set -euo pipefail
cd "$(dirname "$0")/.."
files=$(git ls-files --cached --others --exclude-standard -- '*.ts' '*.tsx' '*.mjs' '*.js' '*.py' '*.sh' '*.css' '*.wgsl' | grep -v -E '(^|/)(dist|node_modules)/' || true)
[[ -n $files ]] || { echo "no source files"; exit 0; }
echo "lines  folder"
xargs wc -l <<<"$files" | awk '$2 != "total" { n = split($2, p, "/"); d = (n > 1) ? p[1] "/" (n > 2 ? p[2] "/" : "") : "."; s[d] += $1 } END { for (d in s) printf "%6d %s\n", s[d], d }' | sort -k2
echo
echo "files over 300 lines:"
xargs wc -l <<<"$files" | awk '$2 != "total" && $1 > 300 { printf "%6d %s\n", $1, $2 }' | sort -rn
