#!/usr/bin/env bash
# packaging/windows/check.sh (make package-check-windows): the Windows
# installer and app, run under Wine 8.0 (Debian's wine64) on a display of
# their own (Xvfb), as a new user would:
#   - a fresh Wine prefix;
#   - the test-only ProcessPrng stand-in (wineshim/processprng.c, see there)
#     built with mingw into the prefix's system32;
#   - the installer run silently (/S), then checked: the app and its
#     uninstaller in Program Files, the Start menu shortcut, the xmpp:
#     registration (ProgID and scheme) in the prefix's registry;
#   - the installed Causerie.exe: -version, then started, its window found
#     and screenshotted (dist/windows-check.png);
#   - signing in from it (internal/wincheck, a Go test): typed, against a
#     private Prosody on 127.0.0.1, the certificate trusted when asked,
#     the password in Wine's Credential Manager; a message from slixmpp
#     and one to it; quit and started again, signed in
#     (dist/windows-*.png);
#   - the uninstaller (/S): all of it gone.
# It takes the .exe and installer from dist/ (make package-windows) and
# builds them first when they are missing. Not part of make test: see the
# README for what it shows and how long it takes.
prog=package-check-windows
deps_group=package-check-windows
# shellcheck source=packaging/common.sh
. "$(dirname "${BASH_SOURCE[0]}")/../common.sh"

need xvfb-run xdotool import x86_64-w64-mingw32-gcc openbox prosody /usr/bin/python3 "$GO"
wine=/usr/lib/wine/wine64
wineserver=/usr/lib/wine/wineserver
[ -x "$wine" ] || die "missing $wine (install it with: bash .ci/deps.sh $deps_group)"
version=$(app_version)
exe=$dist/causerie-$version-windows-amd64.exe
setup=$dist/Causerie-$version-windows-amd64-setup.exe
start_all=$(now)
if [ ! -f "$exe" ] || [ ! -f "$setup" ]; then
	say "no Windows build in dist/: building it (make package-windows)"
	VERSION=$version bash "$repo/packaging/windows/package.sh"
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/causerie-wine.XXXXXX")
trap 'WINEPREFIX=$work/prefix "$wineserver" -k >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
export WINEPREFIX=$work/prefix WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml=" # no Mono or Gecko prompts
export PATH=$PATH:/usr/lib/wine
progfiles="$WINEPREFIX/drive_c/Program Files/Causerie"

# under CMD...: runs CMD on a private Xvfb display.
under() { xvfb-run -a -s "-screen 0 1024x768x24" "$@"; }

t=$(now)
under "$wine" wineboot -i >"$work/wineboot.log" 2>&1 || die "wineboot failed: $(tail -3 "$work/wineboot.log")"
"$wineserver" -w
say "fresh Wine prefix: $(elapsed "$t") s"

x86_64-w64-mingw32-gcc -O2 -shared -o "$WINEPREFIX/drive_c/windows/system32/bcryptprimitives.dll" \
	"$repo/packaging/windows/wineshim/processprng.c" -ladvapi32
say "test-only ProcessPrng stand-in built into the prefix (never shipped)"

t=$(now)
under "$wine" "$setup" /S >"$work/setup.log" 2>&1 || die "the installer failed: $(tail -3 "$work/setup.log")"
"$wineserver" -w
say "installer (/S): $(elapsed "$t") s"
for f in Causerie.exe Uninstall.exe LICENSE.txt; do
	[ -f "$progfiles/$f" ] || die "not installed: Program Files\\Causerie\\$f"
done
lnk=$(find "$WINEPREFIX/drive_c" -iname 'Causerie.lnk' -path '*Start Menu*' | head -1)
[ -n "$lnk" ] || die "no Start menu shortcut"
reg=$WINEPREFIX/system.reg
grep -q '^\[Software\\\\Classes\\\\Causerie.xmpp\\\\shell\\\\open\\\\command\]' "$reg" || die "no Causerie.xmpp ProgID in the registry"
grep -q '^\[Software\\\\Classes\\\\xmpp\]' "$reg" || die "the xmpp: scheme is not registered"
grep -q '"URL Protocol"=""' "$reg" || die "xmpp: is not a URL protocol"
grep -q 'Uninstall\\\\Causerie\]' "$reg" || die "not in Apps & features (no Uninstall key)"
say "installed: Program Files\\Causerie (Causerie.exe, Uninstall.exe, LICENSE.txt), the Start menu shortcut, xmpp: registered"

t=$(now)
got=$(under "$wine" "C:\\Program Files\\Causerie\\Causerie.exe" -version 2>/dev/null | tr -d '\r')
[ "$got" = "causerie $version" ] || die "-version said: $got"
say "Causerie.exe -version: $got ($(elapsed "$t") s cold)"
t=$(now)
under "$wine" "C:\\Program Files\\Causerie\\Causerie.exe" -version >/dev/null 2>&1
say "Causerie.exe -version again: $(elapsed "$t") s warm"

# The window: started from where the installer put it, found, shown.
cat >"$work/window.sh" <<'INNER'
#!/usr/bin/env bash
set -u
start=$(date +%s.%N)
"$WINE" "C:\\Program Files\\Causerie\\Causerie.exe" >"$WORK/app.log" 2>&1 &
for _ in $(seq 1 120); do
	if xdotool search --onlyvisible --name '^Causerie$' >/dev/null 2>&1; then
		awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f\n", e - s }' >"$WORK/mapped"
		sleep 2
		import -window root "$OUT"
		exit 0
	fi
	sleep 0.25
done
exit 1
INNER
chmod +x "$work/window.sh"
mkdir -p "$dist"
WINE=$wine WORK=$work OUT=$dist/windows-check.png under "$work/window.sh" ||
	die "no Causerie window within 30 s: $(tail -5 "$work/app.log" 2>/dev/null)"
"$wineserver" -k >/dev/null 2>&1 || true
say "window shown $(cat "$work/mapped") s after start; screenshot: dist/windows-check.png"

t=$(now)
# The test's binary is built first, apart from the run timed below.
(cd "$repo" && "$GO" test -c -o "$work/wincheck.test" ./internal/wincheck/) || die "building internal/wincheck failed"
say "internal/wincheck built: $(elapsed "$t") s"
t=$(now)
rm -f "$dist"/windows-*.png
(cd "$repo/internal/wincheck" && under "$work/wincheck.test" -test.count=1 -test.v -test.timeout=10m \
	-wine "$wine" -wine.exe 'C:\Program Files\Causerie\Causerie.exe' -wine.shots "$dist") >"$work/wincheck.log" 2>&1 ||
	die "signing in from the Windows build failed:
$(grep -v stringprep "$work/wincheck.log" | tail -30)"
# A test that skipped (a server or peer missing) is not a pass.
grep -q '^--- PASS: TestSignInOnWindows' "$work/wincheck.log" ||
	die "signing in from the Windows build did not pass:
$(grep -v stringprep "$work/wincheck.log" | tail -30)"
grep -E '^\s+wine_test.go:[0-9]+: ' "$work/wincheck.log" | sed -E 's/^\s+wine_test.go:[0-9]+: /  /' || true
"$wineserver" -k >/dev/null 2>&1 || true
say "signed in from the Windows build, a message each way, restarted signed in: $(elapsed "$t") s; screenshots: dist/windows-*.png"

t=$(now)
under "$wine" "C:\\Program Files\\Causerie\\Uninstall.exe" /S >"$work/uninstall.log" 2>&1 || die "the uninstaller failed"
"$wineserver" -w
for _ in $(seq 1 40); do # the uninstaller runs again from a copy in %TEMP%
	[ -e "$progfiles" ] || break
	sleep 0.25
done
[ ! -e "$progfiles" ] || die "Program Files\\Causerie is still there after uninstalling"
[ -z "$(find "$WINEPREFIX/drive_c" -iname 'Causerie.lnk')" ] || die "the Start menu shortcut is still there"
! grep -q 'Causerie' "$WINEPREFIX/system.reg" || die "the registry still names Causerie after uninstalling"
say "uninstalled (/S, $(elapsed "$t") s): files, shortcut and registry entries gone"
say "done in $(elapsed "$start_all") s"
