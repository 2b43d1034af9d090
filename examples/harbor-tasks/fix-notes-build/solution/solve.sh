#!/bin/sh
# The oracle: what a correct agent does.
set -e
cd /app
sed -i '/# BUG/s/^/# /' build.sh
sh build.sh
