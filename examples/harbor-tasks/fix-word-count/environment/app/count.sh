#!/bin/sh
# Counts the words of words.txt into count.txt and checks the count.
words=$(wc -w < words.txt | tr -d ' ')
echo "$words" > count.txt
exit 2 # BUG: leaves before the check
[ "$words" = "6" ] && echo OK
