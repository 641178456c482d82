#!/usr/bin/env bash
# Builds the packages in dependency order: core, kernel, labextension. Each package builds
# through its own package.json "build" script (tsc -b where it only has a tsconfig.json).
# With --keep-going, a package that fails does not stop the others; the names of the failed
# ones go to the file named by $TSDL_BUILD_FAILED (used by scripts/test.sh). Exits non-zero if
# any package failed.
set -uo pipefail
cd "$(dirname "$0")/.."
keep_going=false
[[ ${1-} == --keep-going ]] && keep_going=true

# The labextension's build calls `jupyter labextension build`, from the project's venv.
[[ -x .venv/bin/python ]] && export PATH="$PWD/.venv/bin:$PATH"

status=0
for p in core kernel labextension; do
  if [[ -f $p/package.json ]] && node -e "process.exit(require('./$p/package.json').scripts?.build ? 0 : 1)"; then
    cmd=(npm run --silent build)
  elif [[ -f $p/tsconfig.json ]]; then
    cmd=(npx tsc -b)
  else
    continue
  fi
  echo "== build $p: ${cmd[*]}"
  if ! (cd "$p" && "${cmd[@]}"); then
    echo "build of $p FAILED" >&2
    status=1
    [[ -n ${TSDL_BUILD_FAILED-} ]] && echo "$p" >> "$TSDL_BUILD_FAILED"
    $keep_going || exit 1
  fi
done
exit $status
