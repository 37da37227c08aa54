#!/usr/bin/env bash
# packaging/linux/check.sh (make package-check): installs dist/'s .deb into a
# clean Debian 12 root and starts it there.
#
#  1. A minimal Debian 12 root made with debootstrap (--variant=minbase) from
#     Debian's mirror, cached as a tarball in $CHECK_CACHE (default
#     /var/cache/causerie-package-check, rebuilt when older than 7 days);
#     every run unpacks a fresh copy of it. Downloaded .debs are cached there
#     too, so a warm run fetches nothing.
#  2. apt-get installs the .deb in the root: its Depends must pull in
#     everything the binary needs (nothing else is installed).
#  3. /usr/bin/causerie -version in the root must print the version; ldd must
#     find every library; the desktop entry, icons and metainfo must be there.
#  4. The app starts in the root on an Xvfb display (the socket bind-mounted
#     in); xdotool waits for its window and ImageMagick's import saves a
#     screenshot to dist/package-check.png (the apt log and the app's output
#     go to dist/package-check.log).
#  5. With desktop-file-utils and xdg-utils added, xdg-mime must name the
#     desktop entry as the handler of xmpp: URIs.
# Mounts live in a private mount namespace (unshare), so nothing stays
# mounted when the script ends, however it ends. If debootstrap cannot fetch,
# it says so and falls back to the host: dpkg --dry-run checks the Depends
# there, and the package's files are unpacked and started from a temporary
# directory.
prog=package-check
deps_group=package-check
# shellcheck source=packaging/common.sh
. "$(dirname "${BASH_SOURCE[0]}")/../common.sh"

arch=$(dpkg --print-architecture)
deb=$dist/causerie_${version}_$arch.deb
cache=${CHECK_CACHE:-/var/cache/causerie-package-check}
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
suite=bookworm
base=$cache/$suite-minbase.tar
shot=$dist/package-check.png # and package-check.log

# launch CMD...: start the app on the Xvfb display, wait for its window,
# screenshot it, stop it.
launch() {
	local t pid wid=""
	t=$(now)
	"$@" >"$work/app.log" 2>&1 &
	pid=$!
	for _ in $(seq 1 300); do
		wid=$(DISPLAY=":$dnum" xdotool search --onlyvisible --name 'Causerie' 2>/dev/null | head -n 1 || true)
		[ -n "$wid" ] && break
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	if [ -z "$wid" ]; then
		kill "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
		cat "$work/app.log" >&2
		die "no Causerie window appeared"
	fi
	say "window \"$(DISPLAY=":$dnum" xdotool getwindowname "$wid")\" shown $(elapsed "$t") s after start" \
		"(WM_CLASS: $(DISPLAY=":$dnum" xprop -id "$wid" WM_CLASS 2>/dev/null | sed 's/.*= //'))"
	sleep 3 # let it draw, and see that it stays up
	kill -0 "$pid" 2>/dev/null || {
		cat "$work/app.log" >&2
		die "the app exited within 3 s of showing its window"
	}
	DISPLAY=":$dnum" import -window root "$shot"
	kill "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	say "screenshot: ${shot#"$repo"/}"
}

# save_log: the apt log and the app's output, to dist/package-check.log.
save_log() {
	{
		echo "== apt-get install (clean root)"
		cat "$work/apt.log" 2>/dev/null || echo "(host fallback: no apt run)"
		echo "== the app's output"
		cat "$work/app.log"
	} >"$dist/package-check.log"
	say "apt log and the app's output: ${dist#"$repo"/}/package-check.log"
}

# inside ROOT DISPLAYNUM WORK: runs in the private mount namespace.
if [ "${1:-}" = "--inside" ]; then
	root=$2 dnum=$3 work=$4
	mount -t proc proc "$root/proc"
	mount -t sysfs sys "$root/sys" 2>/dev/null || true
	mkdir -p "$cache/archives/partial" "$root/var/cache/apt/archives"
	mount --bind "$cache/archives" "$root/var/cache/apt/archives"
	mkdir -p "$root/tmp/.X11-unix"
	mount --bind /tmp/.X11-unix "$root/tmp/.X11-unix"
	cp "$deb" "$root/tmp/causerie.deb"
	printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
	chmod 0755 "$root/usr/sbin/policy-rc.d"
	# Keep the downloaded .debs for the next run.
	rm -f "$root/etc/apt/apt.conf.d/docker-clean"
	echo 'Binary::apt::APT::Keep-Downloaded-Packages "true";' >"$root/etc/apt/apt.conf.d/99keep"

	t=$(now)
	if ! chroot "$root" env DEBIAN_FRONTEND=noninteractive LC_ALL=C \
		apt-get install -y -q --no-install-recommends /tmp/causerie.deb >"$work/apt.log" 2>&1; then
		cat "$work/apt.log" >&2
		die "apt-get install of the .deb failed in the clean root"
	fi
	n=$(grep -c '^Setting up ' "$work/apt.log" || true)
	say "apt-get install in the clean root: $(elapsed "$t") s ($n packages set up)"

	t=$(now)
	got=$(chroot "$root" /usr/bin/causerie -version 2>/dev/null) || die "causerie -version failed in the clean root"
	[ "$got" = "causerie $version" ] || die "causerie -version printed \"$got\", want \"causerie $version\""
	say "causerie -version in the clean root: \"$got\" ($(elapsed "$t") s)"
	if chroot "$root" ldd /usr/bin/causerie | grep -q 'not found'; then
		chroot "$root" ldd /usr/bin/causerie >&2
		die "libraries not found in the clean root"
	fi
	for f in /usr/share/applications/$app_id.desktop /usr/share/metainfo/$app_id.metainfo.xml \
		/usr/share/icons/hicolor/48x48/apps/$app_id.png /usr/share/icons/hicolor/scalable/apps/$app_id.svg \
		/usr/share/man/man1/causerie.1.gz; do
		[ -f "$root$f" ] || die "$f is missing after installing the .deb"
	done
	say "ldd finds every library; desktop entry, metainfo, icons and man page installed"
	launch chroot "$root" env HOME=/root LANG=C.UTF-8 DISPLAY=":$dnum" /usr/bin/causerie

	# The xmpp: URI scheme as a desktop sees it: with desktop-file-utils
	# (its dpkg trigger writes mimeinfo.cache) and xdg-utils (Recommends).
	t=$(now)
	chroot "$root" env DEBIAN_FRONTEND=noninteractive LC_ALL=C \
		apt-get install -y -q --no-install-recommends desktop-file-utils xdg-utils >>"$work/apt.log" 2>&1 ||
		die "apt-get install desktop-file-utils xdg-utils failed in the clean root"
	handler=$(chroot "$root" env HOME=/root XDG_DATA_DIRS=/usr/share xdg-mime query default x-scheme-handler/xmpp)
	[ "$handler" = "$app_id.desktop" ] || die "xdg-mime: the xmpp: handler is \"$handler\", want $app_id.desktop"
	say "xdg-mime query default x-scheme-handler/xmpp: $handler ($(elapsed "$t") s)"
	save_log
	exit 0
fi

need dpkg dpkg-deb Xvfb xdotool xprop import unshare chroot tar
[ "$(id -u)" -eq 0 ] || die "needs root (debootstrap, chroot, mounts)"
start_all=$(now)
if [ ! -f "$deb" ]; then
	say "no ${deb#"$repo"/}: building it first (make package)"
	bash "$repo/packaging/linux/package.sh"
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/causerie-check.XXXXXX")
xvfb_pid=""
cleanup() {
	[ -n "$xvfb_pid" ] && { kill "$xvfb_pid" 2>/dev/null || true; wait "$xvfb_pid" 2>/dev/null || true; }
	rm -rf "$work"
}
trap cleanup EXIT

# A display for the launch: the first free number from :120.
dnum=""
for n in $(seq 120 199); do
	[ -e "/tmp/.X$n-lock" ] || [ -e "/tmp/.X11-unix/X$n" ] && continue
	Xvfb ":$n" -screen 0 1280x800x24 -nolisten tcp >"$work/xvfb.log" 2>&1 &
	xvfb_pid=$!
	for _ in $(seq 1 100); do
		[ -S "/tmp/.X11-unix/X$n" ] && break
		kill -0 "$xvfb_pid" 2>/dev/null || break
		sleep 0.05
	done
	if [ -S "/tmp/.X11-unix/X$n" ]; then
		dnum=$n
		break
	fi
	kill "$xvfb_pid" 2>/dev/null || true
	wait "$xvfb_pid" 2>/dev/null || true
	xvfb_pid=""
done
[ -n "$dnum" ] || die "could not start Xvfb"
export dnum work

# The cached clean root.
mkdir -p "$cache"
if [ ! -f "$base" ] || [ -n "$(find "$base" -mtime +7 2>/dev/null)" ]; then
	need debootstrap
	t=$(now)
	say "creating a clean Debian 12 root: debootstrap --variant=minbase $suite $mirror"
	if debootstrap --variant=minbase "$suite" "$work/base" "$mirror" >"$work/debootstrap.log" 2>&1 &&
		chroot "$work/base" apt-get update -q >>"$work/debootstrap.log" 2>&1; then
		rm -f "$work/base/var/cache/apt/archives/"*.deb
		tar -C "$work/base" -cf "$base.new" . && mv "$base.new" "$base"
		rm -rf "$work/base"
		say "debootstrap + apt-get update: $(elapsed "$t") s; cached as $base ($(du -h "$base" | cut -f1))"
	else
		tail -n 5 "$work/debootstrap.log" >&2
		rm -rf "$work/base"
		say "debootstrap could not make a root (above); falling back to the host"
		base=""
	fi
else
	say "using the cached clean root $base (from $(date -r "$base" '+%Y-%m-%d %H:%M'))"
fi

if [ -n "$base" ]; then
	t=$(now)
	mkdir "$work/root"
	tar -C "$work/root" -xf "$base"
	say "fresh root unpacked: $(elapsed "$t") s"
	unshare --mount --propagation private --fork "$BASH" "${BASH_SOURCE[0]}" --inside "$work/root" "$dnum" "$work"
else
	# Fallback: the Depends checked against the host's dpkg database, the
	# files unpacked in a temporary directory and started from there.
	dpkg --dry-run -i "$deb" >"$work/dpkg.log" 2>&1 || {
		cat "$work/dpkg.log" >&2
		die "dpkg --dry-run -i: the Depends are not satisfied on this host"
	}
	dpkg-deb -x "$deb" "$work/x"
	got=$("$work/x/usr/bin/causerie" -version 2>/dev/null)
	[ "$got" = "causerie $version" ] || die "causerie -version printed \"$got\""
	say "host fallback: Depends satisfiable, -version \"$got\""
	HOME=$work/home
	mkdir -p "$HOME"
	launch env HOME="$HOME" LANG=C.UTF-8 DISPLAY=":$dnum" dbus-run-session -- "$work/x/usr/bin/causerie"
	save_log
fi
say "done in $(elapsed "$start_all") s"
