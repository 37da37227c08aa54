#!/usr/bin/env bash
# Runs every fuzz target (func FuzzXxx in a _test.go file under core/) for
# FUZZTIME (default 30s) each.
set -euo pipefail
cd "$(dirname "$0")/.."

fuzztime=${FUZZTIME:-30s}
found=0
while IFS=: read -r file name; do
	[ -n "$file" ] || continue
	found=$((found + 1))
	pkg="./$(dirname "$file")"
	echo "fuzz: $name in $pkg for $fuzztime"
	go test -run '^$' -fuzz "^${name}\$" -fuzztime "$fuzztime" -fuzzminimizetime 1s "$pkg"
done < <(grep -rEo --include='*_test.go' '^func Fuzz[A-Za-z0-9_]*\(' core 2>/dev/null |
	sed -E 's/:func (Fuzz[A-Za-z0-9_]*)\($/:\1/' | sort -u)

if [ "$found" -eq 0 ]; then
	echo "fuzz: no fuzz targets (func Fuzz*) under core/ yet"
fi
