#!/usr/bin/env bash
# packaging/linux/check.sh (make package-check): installs dist/'s .deb into a
# clean Debian 12 root and starts it there.
#
#  1. A minimal Debian 12 root made with debootstrap (--variant=minbase) from
#     the Debian mirror the host's apt uses (debian_mirror below; DEBIAN_MIRROR
#     overrides it), cached as a tarball in $CHECK_CACHE (default
#     /var/cache/causerie-package-check, rebuilt when older than 7 days or
#     made from another mirror); every run unpacks a fresh copy of it.
#     Downloaded .debs are cached there too, so a warm run fetches nothing.
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
# mounted when the script ends, however it ends. If the host's apt sources
# name no Debian bookworm mirror, or debootstrap cannot fetch, it says so and
# falls back to the host: dpkg --dry-run checks the Depends there, and the
# package's files are unpacked and started from a temporary directory.
#
# check.sh --mirror [ROOT] prints the mirror debian_mirror finds in ROOT's
# apt sources (default /) and exits: 0 with the URL, 1 when there is none.
prog=package-check
deps_group=package-check
# shellcheck source=packaging/common.sh
. "$(dirname "${BASH_SOURCE[0]}")/../common.sh"

arch=$(dpkg --print-architecture)
deb=$dist/causerie_${version}_$arch.deb
cache=${CHECK_CACHE:-/var/cache/causerie-package-check}
suite=bookworm
base=$cache/$suite-minbase.tar
shot=$dist/package-check.png # and package-check.log

# debian_mirror [ROOT]: the mirror to make the root from: the first http or
# https URI in the apt sources of ROOT (default /) that serves Debian's
# $suite suite with the main component, read in apt's order: the one-line
# etc/apt/sources.list, then etc/apt/sources.list.d's *.list (one-line) and
# *.sources (deb822) files by name. Types deb only; deb822 stanzas with
# Enabled: no and files apt ignores (other names) are skipped. A source
# whose Release file apt keeps (var/lib/apt/lists, after apt-get update)
# names another Origin than Debian is a third-party repository that happens
# to have a $suite suite and a main component: skipped. One with no Release
# file there is taken only if no source is known to be Debian's. Prints the
# URI without a trailing slash, or nothing when no source qualifies.
debian_mirror() {
	local root=${1:-} uri f release origin unknown=""
	local files=()
	[ -f "$root/etc/apt/sources.list" ] && files+=("$root/etc/apt/sources.list")
	for f in "$root"/etc/apt/sources.list.d/*; do
		case ${f##*/} in
		*[!A-Za-z0-9_.-]*) ;; # apt ignores these names
		*.list | *.sources) [ -f "$f" ] && files+=("$f") ;;
		esac
	done
	[ ${#files[@]} -gt 0 ] || return 0
	while IFS= read -r uri; do
		case $(printf '%s' "$uri" | tr '[:upper:]' '[:lower:]') in
		http://* | https://*) ;;
		*) continue ;;
		esac
		uri=${uri%/}
		# apt's list file name for the URI: no scheme, no user:password@,
		# slashes as underscores.
		f=${uri#*://}
		case ${f%%/*} in *@*) f=${f#*@} ;; esac
		f=$root/var/lib/apt/lists/${f//\//_}_dists_${suite}_
		origin=""
		for release in "${f}InRelease" "${f}Release"; do
			if [ -f "$release" ]; then
				origin=$(sed -n 's/^Origin:[[:space:]]*//p' "$release" | head -n 1)
				origin=${origin:-"(none)"}
				break
			fi
		done
		case $origin in
		Debian)
			printf '%s\n' "$uri"
			return 0
			;;
		"") [ -n "$unknown" ] || unknown=$uri ;;
		esac
	done < <(awk -v suite="$suite" '
		function has(list, word) { return (" " list " ") ~ (" " word " ") }
		function set(k, v) { v = f[k] " " v; gsub(/[ \t]+/, " ", v); sub(/^ /, "", v); sub(/ $/, "", v); f[k] = v }
		function stanza() {
			if (has(f["types"], "deb") && has(f["suites"], suite) &&
				has(f["components"], "main") && tolower(f["enabled"]) != "no") {
				n = split(f["uris"], u, " ")
				for (i = 1; i <= n; i++) print u[i]
			}
			delete f
			key = ""
		}
		FNR == 1 { if (deb822) stanza(); deb822 = FILENAME ~ /\.sources$/ }
		deb822 && /^#/ { next }
		deb822 && /^[ \t]*$/ { stanza(); next }
		deb822 && /^[ \t]/ { if (key != "") set(key, $0); next } # a folded value
		deb822 {
			i = index($0, ":")
			if (i == 0) next
			key = tolower(substr($0, 1, i - 1))
			set(key, substr($0, i + 1))
			next
		}
		{
			# one-line: deb [ options ] uri suite component...
			sub(/#.*/, "")
			if ($1 != "deb") next
			line = $0
			sub(/^[ \t]*deb[ \t]+/, "", line)
			if (line ~ /^\[/) sub(/^\[[^]]*\][ \t]*/, "", line)
			n = split(line, w, /[ \t]+/)
			if (n < 3 || w[2] != suite) next
			for (i = 3; i <= n; i++) if (w[i] == "main") { print w[1]; break }
		}
		END { if (deb822) stanza() }
	' "${files[@]}")
	[ -z "$unknown" ] || printf '%s\n' "$unknown"
}

if [ "${1:-}" = "--mirror" ]; then
	m=$(debian_mirror "${2:-}")
	[ -n "$m" ] || die "no http(s) source of Debian $suite main in ${2:-}/etc/apt/sources.list or ${2:-}/etc/apt/sources.list.d/*.{list,sources}"
	printf '%s\n' "$m"
	exit 0
fi

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

# The cached clean root, made from the Debian mirror the host's apt uses.
# debootstrap writes the mirror into the root's etc/apt/sources.list, and
# apt in the root fetches from it: a cached root made from another mirror
# (the host's sources changed, or DEBIAN_MIRROR) is made again.
mirror=${DEBIAN_MIRROR:-$(debian_mirror)}
mirror=${mirror%/}
mkdir -p "$cache"
cached_mirror=""
if [ -f "$base" ]; then
	cached_mirror=$(tar -xOf "$base" --occurrence=1 ./etc/apt/sources.list 2>/dev/null |
		awk '$1 == "deb" { print $2; exit }' || true)
	cached_mirror=${cached_mirror%/}
fi
if [ -z "$mirror" ]; then
	say "no http(s) source of Debian $suite main in the host's apt sources (/etc/apt/sources.list," \
		"/etc/apt/sources.list.d/*.list and *.sources): no mirror to make a clean root from" \
		"(DEBIAN_MIRROR=URL names one); falling back to the host" >&2
	base=""
elif [ ! -f "$base" ] || [ "$cached_mirror" != "$mirror" ] || [ -n "$(find "$base" -mtime +7 2>/dev/null)" ]; then
	need debootstrap
	if [ -f "$base" ] && [ "$cached_mirror" != "$mirror" ]; then
		say "the cached root was made from ${cached_mirror:-an unknown mirror}, not $mirror: making it again"
	fi
	# apt in the root needs CA certificates for an https mirror (minbase
	# has none).
	include=()
	case $mirror in [Hh][Tt][Tt][Pp][Ss]://*) include=(--include=ca-certificates) ;; esac
	t=$(now)
	say "creating a clean Debian 12 root: debootstrap --variant=minbase ${include[*]:+${include[*]} }$suite $mirror"
	if debootstrap --variant=minbase "${include[@]}" "$suite" "$work/base" "$mirror" >"$work/debootstrap.log" 2>&1 &&
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
	say "using the cached clean root $base (from $(date -r "$base" '+%Y-%m-%d %H:%M'), mirror $mirror)"
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
