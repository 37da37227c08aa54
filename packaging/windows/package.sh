#!/usr/bin/env bash
# packaging/windows/package.sh (make package-windows): cross-builds Causerie
# for 64-bit Windows on Linux into dist/:
#   causerie-VERSION-windows-amd64.exe        `fyne package -os windows -release`
#       with the mingw-w64 cross-compiler: a GUI PE32+ executable with the
#       app icon, a manifest and a version resource (VERSION.BUILD);
#   Causerie-VERSION-windows-amd64-setup.exe  the NSIS installer
#       (packaging/windows/causerie.nsi) built with makensis;
#   causerie-VERSION-windows-amd64.exe.txt    what file, wrestool, icotool,
#       objdump and 7zz (the installer's contents) say about both.
# Nothing here runs the .exe: there is no Windows (nor Wine) on this machine.
prog=package-windows
deps_group=package-windows
# shellcheck source=packaging/common.sh
. "$(dirname "${BASH_SOURCE[0]}")/../common.sh"

need "$GO" x86_64-w64-mingw32-gcc x86_64-w64-mingw32-objdump makensis wrestool icotool file strings 7zz
exe=$dist/causerie-$version-windows-amd64.exe
setup=$dist/Causerie-$version-windows-amd64-setup.exe
report=$exe.txt
start_all=$(now)

work=$(mktemp -d "${TMPDIR:-/tmp}/causerie-windows.XXXXXX")
trap 'rm -rf "$work"' EXIT

t=$(now)
fyne=$(fyne_tool)
stage_source "$work/src"
# A 256×256 icon: the largest an .ico entry can declare (fyne puts the one
# image it is given into the icon resource).
say "cross-building with fyne package -os windows -release (a cold build takes ~7-12 min)"
(cd "$work/src" && GOFLAGS='' CC=x86_64-w64-mingw32-gcc GOOS=windows GOARCH=amd64 \
	"$fyne" package -os windows -release --icon "$work/src/assets/appicon/icon-256x256.png") \
	>"$work/fyne.log" 2>&1 || {
	cat "$work/fyne.log" >&2
	die "fyne package -os windows failed"
}
mkdir -p "$dist"
cp "$work/src/Causerie.exe" "$exe"
say "fyne package -os windows: $(elapsed "$t") s"

# The installer's icon: every usual size in one .ico.
icotool -c -o "$work/causerie.ico" \
	"$repo"/assets/appicon/icon-16x16.png "$repo"/assets/appicon/icon-24x24.png \
	"$repo"/assets/appicon/icon-32x32.png "$repo"/assets/appicon/icon-48x48.png \
	"$repo"/assets/appicon/icon-64x64.png "$repo"/assets/appicon/icon-256x256.png

t=$(now)
rm -f "$setup"
makensis -V2 -INPUTCHARSET UTF8 -DVERSION="$version" -DBUILD="$build_number" -DEXE="$exe" \
	-DICON="$work/causerie.ico" -DLICENSE="$repo/LICENSE" -DOUTFILE="$setup" "$repo/packaging/windows/causerie.nsi" >"$work/nsis.log" 2>&1 || {
	cat "$work/nsis.log" >&2
	die "makensis failed"
}
say "makensis: $(elapsed "$t") s"

# What the files say about themselves.
version_strings() { wrestool -x --raw -t 16 "$1" | strings -el | paste -sd ' ' -; }
{
	echo "== file"
	file "$exe" "$setup"
	echo "== wrestool -l $(basename "$exe")"
	wrestool -l "$exe"
	echo "== version resource (StringFileInfo)"
	version_strings "$exe"
	echo "== icon"
	wrestool -x -t 14 "$exe" -o "$work/" 2>/dev/null || true
	for ico in "$work"/*_14_*.ico; do
		[ -f "$ico" ] && icotool -l "$ico"
	done
	echo "== manifest"
	wrestool -x --raw -t 24 "$exe"
	echo
	echo "== objdump -p (subsystem, DLLs)"
	x86_64-w64-mingw32-objdump -p "$exe" | grep -E 'Subsystem|DLL Name|MajorOSVersion|MinorOSVersion'
	echo "== installer: version resource"
	version_strings "$setup"
	echo "== installer: contents (7zz l)"
	7zz l "$setup" | sed -n '/^---/,/^---/p'
} >"$report" 2>&1
7zz l "$setup" | grep -q ' Causerie\.exe$' || die "the installer does not contain Causerie.exe"
grep -q 'PE32+ executable (GUI) x86-64' <<<"$(file "$exe")" || die "$exe is not a PE32+ GUI executable: $(file "$exe")"
grep -q "ProductVersion $version.$build_number" <<<"$(version_strings "$exe")" ||
	die "$exe has no ProductVersion $version.$build_number in its version resource"
say "$(file -b "$exe" | cut -d, -f1)"
say "version resource: $(version_strings "$exe")"
for f in "$exe" "$setup"; do
	say "$(du -h --apparent-size "$f" | cut -f1)	${f#"$repo"/}"
done
say "done in $(elapsed "$start_all") s (details: ${report#"$repo"/})"
