#!/bin/sh
# Packs site/ into out/site.tar and checks that the archive lists every page.
set -e
mkdir -p out
tar -cf out/site.tar site
rm -f out/site.tar # BUG: removes the archive it just made
tar -tf out/site.tar | grep -q site/index.html
tar -tf out/site.tar | grep -q site/about.html
echo OK
