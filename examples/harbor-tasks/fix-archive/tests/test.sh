#!/bin/sh
# Runs after the agent, in the same container; writes the reward (1 or 0).
mkdir -p /logs/verifier
pass() { echo "$1"; echo 1 > /logs/verifier/reward.txt; exit 0; }
fail() { echo "$1"; echo 0 > /logs/verifier/reward.txt; exit 1; }
cd /app
out=$(sh pack.sh 2>&1) || fail "pack.sh still fails: $out"
[ "$out" = "OK" ] || fail "pack.sh printed: $out"
list=$(tar -tf out/site.tar) || fail "out/site.tar is not an archive"
echo "$list" | grep -q site/about.html || fail "the archive lacks site/about.html"
grep -q '^rm -f out/site.tar' pack.sh && fail "the archive is still removed"
pass "pack.sh packs site/ and prints OK"
