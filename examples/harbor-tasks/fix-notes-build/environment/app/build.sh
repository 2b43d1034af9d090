#!/bin/sh
# Builds dist/notes.txt from the parts in src/ and counts its lines.
set -e
mkdir -p dist
cat src/header.txt src/body.txt > dist/notes.txt
test -f src/footer.txt # BUG: there is no footer, and the build does not need one
wc -l < dist/notes.txt | tr -d ' ' > dist/lines.txt
echo OK
