#!/usr/bin/env bash
# packaging/macos/package.sh: builds Causerie.app on macOS (Xcode command line
# tools and Go installed) into dist/:
#   Causerie-VERSION-macos-ARCH.zip  the .app (ditto), signed;
#   Causerie-VERSION-macos-ARCH.dmg  a disk image of it (hdiutil).
# Run by .github/workflows/macos.yml on a macOS runner. NOT RUN on the Linux
# machines the project is developed on: macOS cannot be built there. See
# packaging/macos/README.md.
#
# Signing: ad hoc (codesign -s -) unless MACOS_SIGN_IDENTITY names a
# "Developer ID Application: ..." identity in the keychain; then it signs
# with the hardened runtime and a timestamp, and notarizes when
# APPLE_ID, APPLE_TEAM_ID and APPLE_APP_PASSWORD are set (notarytool, then
# stapler).
prog=package-macos
deps_group=package
# shellcheck source=packaging/common.sh
. "$(dirname "${BASH_SOURCE[0]}")/../common.sh"

[ "$(uname -s)" = Darwin ] || die "this builds the macOS app and runs on macOS only"
need "$GO" clang codesign ditto hdiutil /usr/libexec/PlistBuddy
arch=$(uname -m) # arm64 or x86_64
app_zip=$dist/Causerie-$version-macos-$arch.zip
dmg=$dist/Causerie-$version-macos-$arch.dmg
start_all=$(now)

work=$(mktemp -d "${TMPDIR:-/tmp}/causerie-macos.XXXXXX")
trap 'rm -rf "$work"' EXIT

t=$(now)
fyne=$(fyne_tool)
stage_source "$work/src"
(cd "$work/src" && GOFLAGS='' "$fyne" package -os darwin -release --category social-networking) || die "fyne package -os darwin failed"
app=$work/src/Causerie.app
[ -d "$app" ] || die "fyne package made no Causerie.app"
say "fyne package -os darwin: $(elapsed "$t") s"

# xmpp: links. LaunchServices starts the app for them; the URI itself comes
# as an Apple Event (kAEGetURL), not as an argument (see README.md).
plist=$app/Contents/Info.plist
pb() { /usr/libexec/PlistBuddy -c "$1" "$plist"; }
pb "Delete :CFBundleURLTypes" 2>/dev/null || true
pb "Add :CFBundleURLTypes array"
pb "Add :CFBundleURLTypes:0 dict"
pb "Add :CFBundleURLTypes:0:CFBundleURLName string $app_id.xmpp"
pb "Add :CFBundleURLTypes:0:CFBundleTypeRole string Viewer"
pb "Add :CFBundleURLTypes:0:CFBundleURLSchemes array"
pb "Add :CFBundleURLTypes:0:CFBundleURLSchemes:0 string xmpp"
pb "Set :LSMinimumSystemVersion 11.0"
plutil -lint "$plist"

got=$("$app/Contents/MacOS/causerie" -version 2>/dev/null) || die "causerie -version failed"
[ "$got" = "causerie $version" ] || die "the built binary says \"$got\", want \"causerie $version\""

# Sign after the last change to the bundle (editing Info.plist breaks a
# signature).
if [ -n "${MACOS_SIGN_IDENTITY:-}" ]; then
	codesign --force --deep --options runtime --timestamp --sign "$MACOS_SIGN_IDENTITY" "$app"
else
	codesign --force --deep --sign - "$app"
	say "signed ad hoc: Gatekeeper will warn on other Macs (set MACOS_SIGN_IDENTITY for a Developer ID)"
fi
codesign --verify --deep --strict --verbose=2 "$app"

mkdir -p "$dist"
rm -f "$app_zip" "$dmg"
ditto -c -k --sequesterRsrc --keepParent "$app" "$app_zip"

if [ -n "${MACOS_SIGN_IDENTITY:-}" ] && [ -n "${APPLE_ID:-}" ] && [ -n "${APPLE_TEAM_ID:-}" ] && [ -n "${APPLE_APP_PASSWORD:-}" ]; then
	t=$(now)
	xcrun notarytool submit "$app_zip" --apple-id "$APPLE_ID" --team-id "$APPLE_TEAM_ID" \
		--password "$APPLE_APP_PASSWORD" --wait
	xcrun stapler staple "$app"
	rm -f "$app_zip"
	ditto -c -k --sequesterRsrc --keepParent "$app" "$app_zip"
	say "notarized and stapled: $(elapsed "$t") s"
fi

mkdir -p "$work/dmg"
cp -R "$app" "$work/dmg/"
ln -s /Applications "$work/dmg/Applications"
hdiutil create -volname "Causerie $version" -srcfolder "$work/dmg" -ov -format UDZO "$dmg" >/dev/null
[ -z "${MACOS_SIGN_IDENTITY:-}" ] || codesign --force --sign "$MACOS_SIGN_IDENTITY" --timestamp "$dmg"

for f in "$app_zip" "$dmg"; do
	say "$(du -h "$f" | cut -f1)	${f#"$repo"/}"
done
say "done in $(elapsed "$start_all") s"
