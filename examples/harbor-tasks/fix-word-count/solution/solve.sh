#!/bin/sh
# The oracle: what a correct agent does.
set -e
cd /app
sed -i '/# BUG/s/^/# /' count.sh
sh count.sh
