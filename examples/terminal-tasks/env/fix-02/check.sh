#!/bin/sh
# Adds up the amounts in amounts.txt and checks the total (297).
total=0
for amount in $(cat amounts.txt); do total=$((total + amount)); done
total=$((total * 2))  # BUG
[ "$total" -eq 297 ] || { echo "FAIL: total is $total, not 297"; exit 1; }
echo OK
