#!/bin/sh
# Runs after the agent, in the same container; writes the reward (1 or 0).
mkdir -p /logs/verifier
pass() { echo "$1"; echo 1 > /logs/verifier/reward.txt; exit 0; }
fail() { echo "$1"; echo 0 > /logs/verifier/reward.txt; exit 1; }
cd /app
[ -f prices.tsv ] || fail "there is no /app/prices.tsv"
cmp -s prices.tsv /tests/expected.tsv || fail "prices.tsv differs from the expected rows"
pass "prices.tsv holds the same rows with tabs"
