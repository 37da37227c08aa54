#!/usr/bin/env bash
# Regenerates the committed derived assets (run `make assets`):
#   appicon/icon-NxN.png   the app icon (icon.svg) rendered at each hicolor
#                          size, with rsvg-convert (Debian librsvg2-bin);
#   icon.png               the 512×512 rendering embedded as assets.Icon;
#   sounds/message.wav     the new-message chime: two sine tones a fifth apart
#                          (A5 880 Hz, then E6 1318.5 Hz from 55 ms), each with
#                          a 3 ms attack and a logarithmic decay, 150 ms,
#                          44.1 kHz 16-bit mono, peak -4 dBFS; made with sox.
# The output is deterministic: running it again changes no file.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

for tool in rsvg-convert sox; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "assets: $tool not found; run: bash .ci/deps.sh package" >&2
		exit 1
	fi
done

sizes=(16 22 24 32 48 64 128 256 512)
mkdir -p appicon
for s in "${sizes[@]}"; do
	rsvg-convert -w "$s" -h "$s" icon.svg -o "appicon/icon-${s}x${s}.png"
done
cp appicon/icon-512x512.png icon.png

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
sox -R -D -n -r 44100 -b 16 -c 1 "$tmp/a.wav" synth 0.15 sine 880 fade l 0.003 0.15 0.14 vol 0.7
sox -R -D -n -r 44100 -b 16 -c 1 "$tmp/e.wav" synth 0.095 sine 1318.51 fade l 0.003 0.095 0.088 pad 0.055 0
mkdir -p sounds
sox -R -D -m "$tmp/a.wav" "$tmp/e.wav" sounds/message.wav gain -n -4
echo "assets: regenerated appicon/ (${sizes[*]}), icon.png and sounds/message.wav"
