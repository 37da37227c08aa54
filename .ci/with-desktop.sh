#!/usr/bin/env bash
# with-desktop.sh CMD [ARGS...]
#
# Runs CMD inside a private desktop test environment and tears it down
# afterwards, whatever CMD's outcome:
#   - a fresh, empty HOME (and XDG dirs) in a temp dir, while Go keeps using
#     the real GOPATH, GOCACHE and GOMODCACHE;
#   - an English locale (LANG=C.UTF-8, LANGUAGE=en), the system's default
#     XDG data and config dirs, and no FYNE_* or fontconfig overrides;
#   - an Xvfb display on a free display number (DISPLAY exported);
#   - a private D-Bus session bus (dbus-run-session) with gnome-keyring's
#     secrets component unlocked (password "pw"), so go-keyring works.
# Exits with CMD's exit status.
set -euo pipefail

if [ $# -eq 0 ]; then
	echo "usage: $0 CMD [ARGS...]" >&2
	exit 2
fi

for tool in Xvfb dbus-run-session gnome-keyring-daemon; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "with-desktop: $tool not found; run .ci/deps.sh" >&2
		exit 1
	fi
done

# Pin Go's directories to the real ones before HOME changes.
if command -v go >/dev/null 2>&1; then
	GOPATH=$(go env GOPATH)
	GOCACHE=$(go env GOCACHE)
	GOMODCACHE=$(go env GOMODCACHE)
	GOENV=$(go env GOENV) # settings made with `go env -w` stay in force
	export GOPATH GOCACHE GOMODCACHE GOENV
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/causerie-desktop.XXXXXX")
xvfb_pid=""
child=""

cleanup() {
	local rc=$?
	trap - EXIT INT TERM
	# Interrupted: stop CMD and everything it started (its own process group).
	if [ -n "$child" ]; then
		kill -TERM -- "-$child" 2>/dev/null || true
		wait "$child" 2>/dev/null || true
	fi
	# gnome-keyring-daemon normally leaves with its session bus; make sure
	# the one started for this run (recognised by our private runtime dir)
	# is gone too.
	for pid in $(pgrep -x gnome-keyring-d 2>/dev/null || true); do
		if { tr '\0' '\n' <"/proc/$pid/environ"; } 2>/dev/null | grep -qxF "XDG_RUNTIME_DIR=$tmp/run"; then
			kill "$pid" 2>/dev/null || true
		fi
	done
	if [ -n "$xvfb_pid" ]; then
		kill "$xvfb_pid" 2>/dev/null || true
		wait "$xvfb_pid" 2>/dev/null || true
	fi
	chmod -R u+w "$tmp" 2>/dev/null || true
	rm -rf "$tmp"
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# A fresh HOME and XDG layout: nothing from the real user leaks in, and the
# keyring starts empty.
mkdir -p "$tmp/home" "$tmp/run"
chmod 0700 "$tmp/run"
export HOME="$tmp/home"
export XDG_RUNTIME_DIR="$tmp/run"
export XDG_CONFIG_HOME="$HOME/.config"
export XDG_DATA_HOME="$HOME/.local/share"
export XDG_CACHE_HOME="$HOME/.cache"
unset WAYLAND_DISPLAY DBUS_SESSION_BUS_ADDRESS GNOME_KEYRING_CONTROL SSH_AUTH_SOCK || true
# Nor the user's desktop settings: the system's default data and config
# dirs only (fonts are looked up in $XDG_DATA_DIRS/fonts too), no private
# fontconfig, none of Fyne's FYNE_* overrides (theme, scale, fonts) for
# the app the end-to-end tests start, and an English locale whatever the
# machine's: Fyne takes its language from LANGUAGE, LC_ALL, LC_MESSAGES
# and LANG (a French one turns its "Cancel" into "Annuler"). C.UTF-8
# exists on every Debian; LANGUAGE=en is what Fyne reads beside it.
export XDG_DATA_DIRS=/usr/local/share:/usr/share
export XDG_CONFIG_DIRS=/etc/xdg
unset FONTCONFIG_FILE FONTCONFIG_PATH FONTCONFIG_SYSROOT || true
for v in $(env | sed -n 's/^\(FYNE_[A-Za-z0-9_]*\|LC_[A-Z_]*\)=.*/\1/p'); do
	unset "$v"
done
export LANG=C.UTF-8 LANGUAGE=en

# Start Xvfb on the first free display number from :99 on. A display whose
# lock or socket exists is taken; if Xvfb still loses a race, try the next.
# -noreset: by default Xvfb resets when its last client leaves, and a
# client connecting meanwhile (the app, just after an xdotool call or the
# previous app exited) fails with "Failed to open display".
display=""
for n in $(seq 99 199); do
	if [ -e "/tmp/.X$n-lock" ] || [ -e "/tmp/.X11-unix/X$n" ]; then
		continue
	fi
	Xvfb ":$n" -screen 0 1280x800x24 -nolisten tcp -noreset >"$tmp/xvfb.log" 2>&1 &
	xvfb_pid=$!
	for _ in $(seq 1 100); do
		if [ -S "/tmp/.X11-unix/X$n" ] || ! kill -0 "$xvfb_pid" 2>/dev/null; then
			break
		fi
		sleep 0.05
	done
	if kill -0 "$xvfb_pid" 2>/dev/null && [ -S "/tmp/.X11-unix/X$n" ]; then
		display=":$n"
		break
	fi
	kill "$xvfb_pid" 2>/dev/null || true
	wait "$xvfb_pid" 2>/dev/null || true
	xvfb_pid=""
done
if [ -z "$display" ]; then
	echo "with-desktop: could not start Xvfb on any display :99-:199" >&2
	cat "$tmp/xvfb.log" >&2 2>/dev/null || true
	exit 1
fi
export DISPLAY="$display"

# dbus-daemon's own complaints (e.g. "Failed to set fd limit" as root in a
# container) go to a log instead of the test output.
printf '#!/bin/sh\nexec dbus-daemon "$@" 2>>"%s/dbus.log"\n' "$tmp" >"$tmp/dbus-daemon"
chmod 0755 "$tmp/dbus-daemon"

# CMD runs in its own session/process group (setsid) so that an interrupt
# can stop it with everything it started; the traps above then tear down
# the rest. Not exec: cleanup must run after CMD.
set +e
setsid --wait dbus-run-session --dbus-daemon="$tmp/dbus-daemon" -- sh -c '
	printf pw | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>"$XDG_RUNTIME_DIR/keyring.log"
	"$@"
' sh "$@" &
child=$!
wait "$child"
rc=$?
child=""
set -e
exit "$rc"
