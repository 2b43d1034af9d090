#!/bin/sh
# Reads the release channel from settings.conf and checks that it is beta.
channel=$(grep '^channel=' settings.conf | cut -d= -f2)
channel=nightly  # BUG
[ "$channel" = "beta" ] || { echo "FAIL: channel is $channel"; exit 1; }
echo OK
