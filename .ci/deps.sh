#!/usr/bin/env bash
# Installs the Debian 12 packages Causerie needs to build and test:
# Fyne's cgo headers, the real XMPP servers the tests run against (Prosody,
# ejabberd), a scripted peer (slixmpp), and the desktop test environment
# (Xvfb, a D-Bus session bus, gnome-keyring). Idempotent and quiet: it asks
# apt only for what is missing. Never starts the servers' system services.
#
#   bash .ci/deps.sh                  build and test (make test)
#   bash .ci/deps.sh package          Linux packages and assets (make package, make assets)
#   bash .ci/deps.sh package-check    installing the .deb in a clean root (make package-check)
#   bash .ci/deps.sh package-windows  Windows cross-build and installer (make package-windows)
set -euo pipefail

# Fyne (cgo: GLFW + OpenGL)
fyne_build=(
	libxcursor-dev libxrandr-dev libxinerama-dev libxi-dev libxxf86vm-dev
	libgl1-mesa-dev libx11-dev pkg-config gcc
)

case "${1:-test}" in
test)
	packages=(
		"${fyne_build[@]}"
		# XMPP test servers and an independent peer
		prosody ejabberd python3-slixmpp
		# Prosody's community modules: mod_muc_moderation (XEP-0425)
		prosody-modules
		# an independent OMEMO 0.3 (Syndace's python-omemo) for the peer
		python3-omemo python3-oldmemo python3-xmlschema
		# a second one: Profanity (libsignal-protocol-c), driven in tmux
		profanity tmux
		# the peer's file uploads and downloads (slixmpp's XEP-0363 uses it)
		python3-aiohttp
		# SQL archives for the catch-up benchmark (testserver SQLArchive)
		lua-dbi-sqlite3 erlang-p1-sqlite3
		# desktop test environment
		xvfb dbus dbus-x11 gnome-keyring libsecret-tools
		# end-to-end GUI test: typing into the real window, screenshots
		xdotool imagemagick x11-utils
		# test certificates
		openssl
	)
	;;
package)
	packages=(
		"${fyne_build[@]}"
		# icons and the message sound (make assets)
		librsvg2-bin sox
		# tarball, .deb, checks of the metadata and the package
		xz-utils dpkg-dev appstream desktop-file-utils lintian
	)
	;;
package-check)
	packages=(
		"${fyne_build[@]}"
		xz-utils dpkg-dev appstream desktop-file-utils lintian
		# a clean Debian 12 root, and a display to start the app on
		debootstrap xvfb xdotool imagemagick x11-utils
	)
	;;
package-windows)
	packages=(
		# cross-compiler, installer, resource inspection
		gcc-mingw-w64-x86-64-win32 nsis icoutils file binutils-mingw-w64-x86-64 7zip
	)
	;;
package-check-windows)
	packages=(
		gcc-mingw-w64-x86-64-win32 nsis icoutils file binutils-mingw-w64-x86-64 7zip
		# Wine (64-bit only) and a display to run the installer and app on,
		# with a window manager as Windows has
		wine64 xvfb xauth xdotool imagemagick openbox
		# signing in from the Windows build: a server and a peer
		prosody prosody-modules python3-slixmpp python3-aiohttp
	)
	;;
*)
	echo "usage: $0 [test|package|package-check|package-windows|package-check-windows]" >&2
	exit 2
	;;
esac

missing=()
for p in "${packages[@]}"; do
	status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	if [ "$status" != "install ok installed" ]; then
		missing+=("$p")
	fi
done

if [ ${#missing[@]} -eq 0 ]; then
	echo "deps: all ${#packages[@]} packages present"
	exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
	echo "deps: missing packages: ${missing[*]}" >&2
	echo "deps: install them as root: apt-get install --no-install-recommends ${missing[*]}" >&2
	exit 1
fi

# Keep apt from starting prosody/ejabberd as system services. The image
# ships a policy-rc.d that exits 101; if it is absent, put a temporary one
# in place and remove it afterwards (only if we created it).
policy=/usr/sbin/policy-rc.d
created_policy=0
if [ ! -e "$policy" ]; then
	printf '#!/bin/sh\nexit 101\n' >"$policy"
	chmod 0755 "$policy"
	created_policy=1
fi
cleanup() {
	if [ "$created_policy" -eq 1 ]; then
		rm -f "$policy"
	fi
}
trap cleanup EXIT

log=$(mktemp)
if ! { apt-get update -qq &&
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"; } >"$log" 2>&1; then
	cat "$log" >&2
	rm -f "$log"
	echo "deps: apt-get failed installing: ${missing[*]}" >&2
	exit 1
fi
rm -f "$log"
echo "deps: installed ${#missing[@]} missing packages: ${missing[*]}"
