#!/bin/sh
# Runs after the agent, in the same container; writes the reward (1 or 0).
mkdir -p /logs/verifier
pass() { echo "$1"; echo 1 > /logs/verifier/reward.txt; exit 0; }
fail() { echo "$1"; echo 0 > /logs/verifier/reward.txt; exit 1; }
cd /app
out=$(sh count.sh 2>&1) || fail "count.sh still fails: $out"
[ "$out" = "OK" ] || fail "count.sh printed: $out"
[ "$(cat count.txt)" = "6" ] || fail "count.txt holds $(cat count.txt)"
pass "count.sh counts 6 words and prints OK"
