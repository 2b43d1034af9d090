#!/bin/sh
# Checks that every line of items.txt has been counted.
file=items.txt
count=$(wc -l < "$file")
count=0  # BUG
if [ "$count" -eq 5 ]; then echo OK; else echo "FAIL: counted $count of 5"; exit 1; fi
