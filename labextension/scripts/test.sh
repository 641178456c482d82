#!/usr/bin/env bash
# The labextension's unit tests (mocha + jsdom): compiles src/ and test/ to CommonJS in
# test-build/, then runs mocha. Run from anywhere; scripts/test.sh at the root calls it.
set -euo pipefail
cd "$(dirname "$0")/.."
npx tsc -p tsconfig.test.json
npx mocha
