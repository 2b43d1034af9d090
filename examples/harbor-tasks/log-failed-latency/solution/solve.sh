#!/bin/sh
# The oracle: what a correct agent does.
set -e
cd /app
grep -E '(^| )status=error( |$)' api.log | sed -n 's/^\(.* \)\{0,1\}ms=\([^ ]*\).*$/\2/p' > answer.txt
