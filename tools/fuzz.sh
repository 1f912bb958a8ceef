#!/bin/sh
# SPDX-License-Identifier: ISC
# Run libFuzzer targets for SECONDS seconds each and print one line per
# target with its number of runs. Usage: tools/fuzz.sh SECONDS TARGET...
# Each target starts from its seed corpus tests/fuzz/corpus/<name>/, which
# stays unchanged: new inputs go to a temporary folder. A crash, leak or
# sanitizer report is saved under build/fuzz/artifacts/ and fails the run.
set -u

cd "$(dirname "$0")/.." || exit 1
seconds=${1:?usage: tools/fuzz.sh SECONDS TARGET...}
shift
status=0
work=$(mktemp -d /tmp/shopease-fuzz.XXXXXX) || exit 1
mkdir -p build/fuzz/artifacts
for target in "$@"; do
	name=$(basename "$target")
	if [ ! -x "$target" ]; then
		echo "fuzz $name: $target is not built" >&2
		status=1
		continue
	fi
	mkdir -p "$work/$name"
	log=$work/$name.log
	"./$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
		-print_final_stats=1 -artifact_prefix="build/fuzz/artifacts/$name-" \
		"$work/$name" "tests/fuzz/corpus/$name" >"$log" 2>&1
	rc=$?
	runs=$(sed -n 's/^Done \([0-9]*\) runs in \([0-9]*\) second.*/\1 runs in \2 s/p' "$log")
	corpus=$(ls "$work/$name" | wc -l)
	if [ $rc -ne 0 ]; then
		echo "fuzz $name: failed with exit status $rc; the end of its log:" >&2
		tail -n 40 "$log" >&2
		status=1
	else
		echo "fuzz $name: ${runs:-? runs}, $corpus new corpus inputs, no failure"
	fi
done
rm -rf "$work"
exit $status
