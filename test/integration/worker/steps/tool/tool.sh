#!/bin/sh
# A command step: an executable from the snapshot, arguments with placeholders embedded in them.
out="${1#--out=}"
echo "tool got $# arguments"
printf '%s\n' "$2" > "$out/second-arg.txt"
echo hello > "$out/hello.txt"
