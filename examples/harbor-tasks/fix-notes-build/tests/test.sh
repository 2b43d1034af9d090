#!/bin/sh
# Runs after the agent, in the same container; writes the reward (1 or 0).
mkdir -p /logs/verifier
pass() { echo "$1"; echo 1 > /logs/verifier/reward.txt; exit 0; }
fail() { echo "$1"; echo 0 > /logs/verifier/reward.txt; exit 1; }
cd /app
out=$(sh build.sh 2>&1) || fail "build.sh still fails: $out"
[ "$out" = "OK" ] || fail "build.sh printed: $out"
[ "$(cat dist/lines.txt)" = "3" ] || fail "dist/lines.txt holds $(cat dist/lines.txt)"
cmp -s dist/notes.txt /tests/notes.txt || fail "dist/notes.txt is not the header and body"
pass "build.sh builds dist/notes.txt and prints OK"
