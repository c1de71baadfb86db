#!/usr/bin/env bash
# `npm test`: sets up what is missing (tools/setup.sh), then runs every suite —
# the C shim's unit tests, the packages' unit tests, the end-to-end tests with
# real containers — and ends with one line: "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" != 0 ]; then echo "npm test: run as root (the tests run real containers)" >&2; exit 1; fi

tools/setup.sh || { echo "npm test: setup failed"; echo "0 passed, 1 failed"; exit 1; }

results=.test-results
rm -rf "$results"; mkdir -p "$results"
status=0
make -s -C runtime-shim test 2>&1 | tee "$results/c.log"; [ "${PIPESTATUS[0]}" = 0 ] || status=1
npx vitest run --reporter=default --reporter=json --outputFile.json="$results/unit.json" || status=1
npx vitest run --config e2e/vitest.config.mts --reporter=default --reporter=json --outputFile.json="$results/e2e.json" || status=1
node tools/test-summary.mjs "$results" || status=1
exit $status
