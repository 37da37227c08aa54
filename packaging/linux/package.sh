#!/usr/bin/env bash
# packaging/linux/package.sh (make package): builds the Linux packages into
# dist/:
#   causerie-VERSION-linux-ARCH.tar.xz  the `fyne package` tarball (its
#       Makefile installs into /usr/local), with our desktop entry, which
#       registers the xmpp: URI scheme (Exec=causerie %u), in place of fyne's;
#   causerie_VERSION_ARCH.deb           a Debian package built with dpkg-deb:
#       /usr/bin/causerie, the desktop entry, hicolor icons, AppStream
#       metainfo, a man page; Depends from dpkg-shlibdeps plus the X
#       libraries GLFW needs;
#   causerie_VERSION_ARCH.deb.txt       dpkg-deb -I/-c and lintian's output.
# Checks on the way: the metainfo (appstreamcli validate --no-net, and a
# <release> for VERSION), the desktop entry (desktop-file-validate), and the
# built binary's -version.
prog=package
deps_group=package
# shellcheck source=packaging/common.sh
. "$(dirname "${BASH_SOURCE[0]}")/../common.sh"

need "$GO" tar xz gzip dpkg dpkg-deb dpkg-shlibdeps appstreamcli desktop-file-validate
linux=$repo/packaging/linux
metainfo=$linux/$app_id.metainfo.xml
desktop=$linux/$app_id.desktop
arch=$(dpkg --print-architecture)
tarball=$dist/causerie-$version-linux-$arch.tar.xz
deb=$dist/causerie_${version}_$arch.deb
start_all=$(now)

# --- metadata checks -------------------------------------------------------
grep -q "<release version=\"$version\"" "$metainfo" ||
	die "$metainfo has no <release version=\"$version\">: add one for FyneApp.toml's Version"
# --no-net: the screenshot and homepage URLs are placeholders (causerie.example)
# until the project has a public home, and this machine has no network anyway.
appstreamcli validate --no-net --pedantic "$metainfo" | sed -e "/^[[:space:]]*$/d" -e "s/^/$prog: appstream: /"
desktop-file-validate "$desktop"
say "metainfo and desktop entry valid"

work=$(mktemp -d "${TMPDIR:-/tmp}/causerie-package.XXXXXX")
trap 'rm -rf "$work"' EXIT

# --- fyne package ----------------------------------------------------------
t=$(now)
fyne=$(fyne_tool)
stage_source "$work/src"
say "building with fyne package -os linux -release (a cold build takes minutes)"
# -buildmode=pie: a position-independent executable, as Debian's hardening
# expects (lintian: hardening-no-pie otherwise).
(cd "$work/src" && GOFLAGS=-buildmode=pie "$fyne" package -os linux -release) >"$work/fyne.log" 2>&1 || {
	cat "$work/fyne.log" >&2
	die "fyne package failed"
}
say "fyne package: $(elapsed "$t") s"

# Replace fyne's desktop entry (it can say MimeType= only together with
# Exec=... %F, a file list, where a URI handler needs %u).
mkdir -p "$work/tar"
tar -xJf "$work/src/Causerie.tar.xz" -C "$work/tar"
top=$(cd "$work/tar" && ls)
fyne_desktop=$(cd "$work/tar" && find . -path "*/share/applications/$app_id.desktop" | head -n 1)
[ -n "$fyne_desktop" ] || die "no $app_id.desktop in fyne's tarball"
install -m 0644 "$desktop" "$work/tar/$fyne_desktop"
bin=$(cd "$work/tar" && find . -path '*/bin/causerie' -type f | head -n 1)
[ -n "$bin" ] || die "no bin/causerie in fyne's tarball"
bin=$work/tar/$bin

# (Fyne logs a locale complaint on stderr when LANG is C or unset.)
got=$("$bin" -version 2>/dev/null) || die "$bin -version failed"
[ "$got" = "causerie $version" ] || die "the built binary says \"$got\", want \"causerie $version\""

mkdir -p "$dist"
rm -f "$tarball"
tar --sort=name --owner=0 --group=0 --numeric-owner -C "$work/tar" -cJf "$tarball" "$top"
say "wrote ${tarball#"$repo"/}"

# --- .deb --------------------------------------------------------------------
t=$(now)
root=$work/deb
install -D -m 0755 "$bin" "$root/usr/bin/causerie"
install -D -m 0644 "$desktop" "$root/usr/share/applications/$app_id.desktop"
install -D -m 0644 "$metainfo" "$root/usr/share/metainfo/$app_id.metainfo.xml"
for png in "$repo"/assets/appicon/icon-*x*.png; do
	size=$(basename "$png" .png)
	size=${size#icon-}
	install -D -m 0644 "$png" "$root/usr/share/icons/hicolor/$size/apps/$app_id.png"
done
install -D -m 0644 "$repo/assets/icon.svg" "$root/usr/share/icons/hicolor/scalable/apps/$app_id.svg"
mkdir -p "$root/usr/share/man/man1" "$root/usr/share/doc/causerie"
gzip -9n <"$linux/causerie.1" >"$root/usr/share/man/man1/causerie.1.gz"
chmod 0644 "$root/usr/share/man/man1/causerie.1.gz"

maintainer=${DEB_MAINTAINER:-The Causerie developers <causerie@causerie.example>}
release_date=$(sed -n "s/.*<release version=\"$version\" date=\"\([0-9-]*\)\".*/\1/p" "$metainfo" | head -n 1)
{
	printf 'causerie (%s) stable; urgency=medium\n\n' "$version"
	printf '  * Release %s.\n\n' "$version"
	printf ' -- %s  %s\n' "$maintainer" "$(LC_ALL=C date -u -d "${release_date:-today} 12:00" '+%a, %d %b %Y %H:%M:%S +0000')"
} | gzip -9n >"$root/usr/share/doc/causerie/changelog.gz"
install -m 0644 "$linux/copyright" "$root/usr/share/doc/causerie/copyright"
chmod 0644 "$root/usr/share/doc/causerie/changelog.gz"
find "$root" -type d -exec chmod 0755 {} +

# Depends: what the binary links (dpkg-shlibdeps wants a debian/control to
# read), plus the libraries GLFW opens with dlopen at run time or that the
# brief of the X11 build lists.
mkdir -p "$work/shlib/debian"
printf 'Source: causerie\n\nPackage: causerie\nArchitecture: any\n' >"$work/shlib/debian/control"
shlibs=$(cd "$work/shlib" && dpkg-shlibdeps -O "$root/usr/bin/causerie" 2>"$work/shlibdeps.log") || {
	cat "$work/shlibdeps.log" >&2
	die "dpkg-shlibdeps failed"
}
depends=${shlibs#shlibs:Depends=}
for p in libgl1 libx11-6 libxcursor1 libxrandr2 libxinerama1 libxi6 libxxf86vm1 libxrender1 libxext6; do
	case ", $depends," in
	*", $p,"* | *", $p "*) ;;
	*) depends="$depends, $p" ;;
	esac
done

mkdir -p "$root/DEBIAN"
(cd "$root" && find usr -type f -print0 | sort -z | xargs -0 md5sum) >"$root/DEBIAN/md5sums"
chmod 0644 "$root/DEBIAN/md5sums"
installed_size=$(du -sk --exclude=DEBIAN "$root" | cut -f1)
cat >"$root/DEBIAN/control" <<EOF
Package: causerie
Version: $version
Architecture: $arch
Maintainer: $maintainer
Installed-Size: $installed_size
Depends: $depends
Recommends: xdg-utils
Suggests: gnome-keyring | kwalletmanager | keepassxc
Section: net
Priority: optional
Description: desktop chat client for XMPP (Jabber)
 Causerie is a graphical chat client for XMPP, the open and federated
 messaging standard, built with the Fyne toolkit. It keeps several accounts
 online at once over verified TLS connections, shows contacts in groups with
 live presence, handles subscription requests and opens tabbed one-to-one
 chats with formatted messages and a searchable local history. It opens
 xmpp: links.
 .
 Passwords are kept in the desktop's keyring through the Secret Service
 (GNOME Keyring, KWallet or KeePassXC).
EOF
chmod 0644 "$root/DEBIAN/control"
rm -f "$deb"
dpkg-deb --root-owner-group -Zxz --build "$root" "$deb" >/dev/null
say "wrote ${deb#"$repo"/} in $(elapsed "$t") s"

# --- report ----------------------------------------------------------------
report=$deb.txt
{
	echo "== dpkg-deb -I"
	dpkg-deb -I "$deb"
	echo "== dpkg-deb -c"
	dpkg-deb -c "$deb"
	echo "== lintian"
	if command -v lintian >/dev/null 2>&1; then
		lintian --info --display-info --pedantic "$deb" 2>&1 || true
	else
		echo "(lintian not installed: bash .ci/deps.sh package)"
	fi
} >"$report"
if command -v lintian >/dev/null 2>&1; then
	tags=$(sed -n '/^== lintian/,$p' "$report" | grep -E '^[EWIPX]: ' | cut -d' ' -f1-3 | sort | uniq -c || true)
	if [ -n "$tags" ]; then
		say "lintian:"
		printf '%s\n' "$tags" | sed 's/^/    /'
	else
		say "lintian: no tags"
	fi
fi
say "Depends: $depends"
for f in "$tarball" "$deb"; do
	say "$(du -h --apparent-size "$f" | cut -f1)	${f#"$repo"/}"
done
say "done in $(elapsed "$start_all") s (details: ${report#"$repo"/})"
