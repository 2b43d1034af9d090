#!/bin/sh
# Runs after the agent, in the same container; writes the reward (1 or 0).
mkdir -p /logs/verifier
pass() { echo "$1"; echo 1 > /logs/verifier/reward.txt; exit 0; }
fail() { echo "$1"; echo 0 > /logs/verifier/reward.txt; exit 1; }
cd /app
[ -f answer.txt ] || fail "there is no /app/answer.txt"
got=$(tr -d ' \n' < answer.txt)
want=$(cat /tests/expected.txt)
[ "$got" = "$want" ] || fail "answer.txt holds '$got'"
pass "answer.txt holds the failed request's trace_id"
