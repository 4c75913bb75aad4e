#!/usr/bin/env bash
# macOS: build the .app (PyInstaller BUNDLE in packaging/mail-composer.spec) for one
# architecture, sign it through PyInstaller (codesign_identity + entitlements_file: every
# binary and then the bundle, hardened runtime, secure timestamp), check it, put it in a
# DMG beside an Applications link, sign, notarize and staple the DMG.
#   env: MACOS_TARGET_ARCH   arm64 | x86_64 | universal2 (default: this Mac's)
#        MACOS_CERT_P12_BASE64, MACOS_CERT_PASSWORD   Developer ID Application certificate
#            (.p12, base64); imported into a temporary keychain, deleted afterwards
#        MACOS_SIGN_IDENTITY  e.g. "Developer ID Application: Name (TEAMID)"
#        APPLE_ID, APPLE_TEAM_ID, APPLE_APP_PASSWORD   notarization (notarytool)
#        REQUIRE_SIGNING=1    fail unless all of the above are set (release tags)
# Without signing secrets the DMG is ad-hoc signed and named ...-unsigned.dmg.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
out="$root/packaging/out"
version="$(python -c 'import composer; print(composer.__version__)')"
arch="${MACOS_TARGET_ARCH:-$(uname -m)}"
export MACOS_TARGET_ARCH="$arch"
mkdir -p "$out"

signing=1
for var in MACOS_CERT_P12_BASE64 MACOS_CERT_PASSWORD MACOS_SIGN_IDENTITY APPLE_ID \
    APPLE_TEAM_ID APPLE_APP_PASSWORD; do
  [ -n "${!var:-}" ] || { signing=0; missing="${missing:-} $var"; }
done
if [ "$signing" = 0 ]; then
  if [ "${REQUIRE_SIGNING:-0}" = 1 ] || [ "${REQUIRE_SIGNING:-}" = true ]; then
    echo "::error::macOS release build without signing secrets (missing:${missing}):" \
         "an unsigned DMG would be blocked by Gatekeeper. Set the repository secrets." >&2
    exit 1
  fi
  echo "no signing secrets (missing:${missing}): building an ad-hoc signed, unnotarized DMG"
  unset MACOS_SIGN_IDENTITY
fi

keychain=""
cleanup() {
  if [ -n "$keychain" ]; then security delete-keychain "$keychain" || true; fi
  rm -f "$out/cert.p12"
}
trap cleanup EXIT
if [ "$signing" = 1 ]; then
  # A temporary keychain holding only the Developer ID certificate, first in the search
  # list so codesign finds the identity, unlocked for this build only.
  keychain="$out/signing.keychain-db"
  keychain_password="$(uuidgen)"
  (umask 077; printf '%s' "$MACOS_CERT_P12_BASE64" | base64 --decode > "$out/cert.p12")
  security create-keychain -p "$keychain_password" "$keychain"
  security set-keychain-settings -lut 21600 "$keychain"
  security unlock-keychain -p "$keychain_password" "$keychain"
  security import "$out/cert.p12" -k "$keychain" -P "$MACOS_CERT_PASSWORD" \
      -T /usr/bin/codesign -T /usr/bin/security
  security set-key-partition-list -S apple-tool:,apple:,codesign: -s \
      -k "$keychain_password" "$keychain" >/dev/null
  # shellcheck disable=SC2046
  security list-keychains -d user -s "$keychain" $(security list-keychains -d user | tr -d '"')
  security find-identity -v -p codesigning "$keychain" | grep -qF "$MACOS_SIGN_IDENTITY" \
      || { echo "::error::identity '$MACOS_SIGN_IDENTITY' not in the imported certificate" >&2; exit 1; }
  rm -f "$out/cert.p12"
fi

# Icon: every size of an .icns, 16 px to 1024 px (icon_512x512@2x).
python packaging/render_icons.py "$out/icons" >/dev/null
iconset="$out/mail-composer.iconset"
rm -rf "$iconset" && mkdir -p "$iconset"
for size in 16 32 128 256 512; do
  cp "$out/icons/${size}x${size}/mail-composer.png" "$iconset/icon_${size}x${size}.png"
  double=$((size * 2))
  cp "$out/icons/${double}x${double}/mail-composer.png" "$iconset/icon_${size}x${size}@2x.png"
done
iconutil -c icns "$iconset" -o "$out/mail-composer.icns"

rm -rf "$out/dist/Mail Composer.app" "$out/dist/mail-composer"
python -m PyInstaller --noconfirm --distpath "$out/dist" --workpath "$out/build" \
    packaging/mail-composer.spec
app="$out/dist/Mail Composer.app"
exe="$app/Contents/MacOS/mail-composer"

# The architectures the app runs on.
lipo_out="$(lipo -archs "$exe")"
case "$arch" in
  universal2) want="x86_64 arm64" ;;
  *) want="$arch" ;;
esac
for a in $want; do
  grep -qw "$a" <<<"$lipo_out" || { echo "built for '$lipo_out', wanted $want" >&2; exit 1; }
done
codesign --verify --strict --deep --verbose=2 "$app"
if [ "$signing" = 1 ]; then
  codesign --display --verbose=2 "$app" 2>&1 | grep -q "flags=.*runtime" \
      || { echo "::error::the app is not signed with the hardened runtime" >&2; exit 1; }
fi

# The DMG: the app and a link to /Applications to drag it onto.
suffix=""
[ "$signing" = 1 ] || suffix="-unsigned"
dmg="$out/mail-composer-$version-macos-$arch$suffix.dmg"
stage="$out/dmg"
rm -rf "$stage" "$dmg" && mkdir -p "$stage"
ditto "$app" "$stage/Mail Composer.app"
ln -s /Applications "$stage/Applications"
hdiutil create -volname "Mail Composer" -srcfolder "$stage" -ov -format UDZO "$dmg"

if [ "$signing" = 1 ]; then
  codesign --sign "$MACOS_SIGN_IDENTITY" --timestamp --keychain "$keychain" "$dmg"
  result="$(xcrun notarytool submit "$dmg" --apple-id "$APPLE_ID" --team-id "$APPLE_TEAM_ID" \
      --password "$APPLE_APP_PASSWORD" --wait --timeout 1h --output-format json)"
  echo "$result"
  # notarytool can exit 0 with status Invalid: the status decides; its log says why.
  status="$(python -c 'import json,sys; print(json.loads(sys.argv[1]).get("status", ""))' "$result")"
  if [ "$status" != "Accepted" ]; then
    submission="$(python -c 'import json,sys; print(json.loads(sys.argv[1]).get("id", ""))' "$result")"
    [ -z "$submission" ] || xcrun notarytool log "$submission" --apple-id "$APPLE_ID" \
        --team-id "$APPLE_TEAM_ID" --password "$APPLE_APP_PASSWORD" || true
    echo "::error::notarization: $status" >&2
    exit 1
  fi
  xcrun stapler staple "$dmg"
  xcrun stapler validate "$dmg"
  spctl --assess --type open --context context:primary-signature --verbose=2 "$dmg"
fi
ls -l "$dmg"
