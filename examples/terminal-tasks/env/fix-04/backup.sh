#!/bin/sh
# Verifies that names.txt is sorted.
echo "FAIL: stopped early"; exit 2  # BUG
sort -c names.txt 2>/dev/null || { echo "FAIL: names.txt is not sorted"; exit 1; }
echo OK
