#!/usr/bin/env bash
# stage.sh NAME CMD...: run one stage of `make test`, print how long it took.
name=$1; shift
start=$(date +%s)
echo "=== $name"
"$@"; rc=$?
took=$(( $(date +%s) - start ))
printf '%-28s %4ss %s\n' "$name" "$took" "$([[ $rc == 0 ]] && echo ok || echo FAILED)" | tee -a var/test-times.txt
exit $rc
