#!/usr/bin/env bash
# `npm test`: checks the WebGPU adapter, builds every package (core, kernel, labextension), runs
# every package's tests and ends with one line "tests: N passed, N failed". Exits non-zero on
# any failure (a package that does not build, or a suite that died without a summary, counts as
# one failure; the other packages still build and test).
#
# Packages build through scripts/build.sh (each package's own "build" script). A suite is a
# folder among core, kernel, labextension, test that has, in this order of preference,
#   scripts/test.sh     run with bash inside the folder
#   a "test" script     in its package.json, run as `npm run test` inside the folder
#   .mocharc.json       run as `npx mocha` inside the folder
# A suite should end with "N passed, N failed" or print mocha ("N passing/failing/pending") or
# pytest summaries, which are summed.
# Prerequisites (installed by .ci/run, or by scripts/setup-system.sh and scripts/setup.sh):
# node_modules from `npm ci`, the Python venv .venv, and a WebGPU adapter (lavapipe on Debian).
set -uo pipefail
cd "$(dirname "$0")/.."
root=$PWD

# Setup first, so that `npm test` works on a fresh machine: system packages when we are root
# (as in CI; elsewhere the adapter check below says what is missing), then node_modules and
# the venv. Each step returns at once when its work is already done.
if [[ $EUID -eq 0 && ${TSDL_SKIP_SETUP-} != 1 ]]; then
  bash scripts/setup-system.sh || { echo "tests: 0 passed, 1 failed (system setup failed)"; exit 1; }
fi
if [[ ${TSDL_SKIP_SETUP-} != 1 ]]; then
  bash scripts/setup.sh || { echo "tests: 0 passed, 1 failed (setup failed)"; exit 1; }
fi

# The Jupyter tools of the project's venv come first on PATH for every suite.
if [[ -x .venv/bin/python ]]; then
  export PATH="$root/.venv/bin:$PATH"
  export VIRTUAL_ENV="$root/.venv"
fi

passed=0
failed=0
skipped=0
problems=()
logdir=$(mktemp -d)
trap 'rm -rf "$logdir"' EXIT

summary() {
  echo
  echo "== summary"
  for p in "${problems[@]+"${problems[@]}"}"; do echo "  FAILED: $p"; done
  if ((skipped > 0)); then
    echo "tests: $passed passed, $failed failed, $skipped skipped"
  else
    echo "tests: $passed passed, $failed failed"
  fi
  if ((failed > 0)); then exit 1; fi
  exit 0
}

# -- WebGPU adapter -----------------------------------------------------------------------------
echo "== WebGPU adapter"
if [[ ! -d node_modules/webgpu ]]; then
  echo "node_modules is missing: run 'npm ci' first (or bash .ci/run, which installs everything)." >&2
  failed=$((failed + 1)); problems+=("node_modules missing"); summary
fi
if ! node scripts/check-webgpu.mjs 2> >(grep -v 'artificially reduced' >&2); then
  failed=$((failed + 1)); problems+=("no WebGPU adapter (see above)"); summary
fi

# -- build -------------------------------------------------------------------------------------
# A package that does not build fails alone: the others still build and test.
echo "== build"
export TSDL_BUILD_FAILED="$logdir/build-failed"
: > "$TSDL_BUILD_FAILED"
bash scripts/build.sh --keep-going
broken=()
while read -r p; do
  [[ -n $p ]] || continue
  broken+=("$p")
  failed=$((failed + 1)); problems+=("build of $p (its tests did not run)")
done < "$TSDL_BUILD_FAILED"

# -- suites ------------------------------------------------------------------------------------
# Sums the counts a suite printed. A plain "N passed, N failed[, N skipped]" line wins (the
# last one); otherwise mocha's "N passing/failing/pending" and pytest's "== N passed, N failed
# ... in Ns ==" lines are added up.
sum_of() { grep -oE "[0-9]+ ($1)" | awk '{s += $1} END {print s + 0}'; }
count_results() {
  local log=$1 plain py mocha
  plain=$(grep -E '^([A-Za-z-]+: )?[0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)
  if [[ -n $plain ]]; then
    suite_passed=$(sum_of passed <<<"$plain")
    suite_failed=$(sum_of failed <<<"$plain")
    suite_skipped=$(sum_of skipped <<<"$plain")
    return
  fi
  mocha=$(grep -E '^\s*[0-9]+ (passing|failing|pending)' "$log" || true)
  py=$(grep -E '^=+ .*[0-9]+ (passed|failed|errors?|skipped).* in [0-9.]+s' "$log" || true)
  suite_passed=$(( $(sum_of passing <<<"$mocha") + $(sum_of passed <<<"$py") ))
  suite_failed=$(( $(sum_of failing <<<"$mocha") + $(sum_of 'failed|errors?' <<<"$py") ))
  suite_skipped=$(( $(sum_of pending <<<"$mocha") + $(sum_of skipped <<<"$py") ))
}

run_suite() {
  local name=$1; shift
  local log="$logdir/$name.log"
  echo
  echo "== $name: $*"
  # Streams to the terminal and keeps a copy to count from. A suite gets 30 minutes: a test
  # run that hangs (e.g. a Dawn device left alive) must not hang CI.
  timeout --kill-after=30 1800 "$@" 2>&1 | tee "$log"
  local rc=${PIPESTATUS[0]}
  count_results "$log"
  passed=$((passed + suite_passed))
  failed=$((failed + suite_failed))
  skipped=$((skipped + suite_skipped))
  if ((suite_failed > 0)); then
    problems+=("$name: $suite_failed failed")
  elif ((rc != 0)); then
    failed=$((failed + 1))
    if ((rc == 124 || rc == 137)); then problems+=("$name: timed out"); else problems+=("$name: exited with $rc"); fi
  fi
}

for dir in core kernel labextension test; do
  if [[ " ${broken[*]-} " == *" $dir "* ]]; then
    continue
  elif [[ -f $dir/scripts/test.sh ]]; then
    run_suite "$dir" bash -c "cd '$dir' && bash scripts/test.sh"
  elif [[ -f $dir/package.json ]] && node -e "process.exit(require('./$dir/package.json').scripts?.test ? 0 : 1)"; then
    run_suite "$dir" bash -c "cd '$dir' && npm run --silent test"
  elif [[ -f $dir/.mocharc.json ]]; then
    run_suite "$dir" bash -c "cd '$dir' && npx mocha"
  fi
done

summary
