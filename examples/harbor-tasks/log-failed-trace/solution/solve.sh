#!/bin/sh
# The oracle: what a correct agent does.
set -e
cd /app
grep -E '(^| )status=error( |$)' gateway.log | sed -n 's/^\(.* \)\{0,1\}trace_id=\([^ ]*\).*$/\2/p' > answer.txt
