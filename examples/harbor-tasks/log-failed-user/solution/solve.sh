#!/bin/sh
# The oracle: what a correct agent does.
set -e
cd /app
grep -E '(^| )status=error( |$)' requests.log | sed -n 's/^\(.* \)\{0,1\}user=\([^ ]*\).*$/\2/p' > answer.txt
