#!/usr/bin/env bash
# macOS: build the .app (PyInstaller BUNDLE in packaging/mail-composer.spec), sign and
# notarize it when signing secrets are present, and wrap it in a DMG.
#   env (optional): MACOS_SIGN_IDENTITY, APPLE_ID, APPLE_TEAM_ID, APPLE_APP_PASSWORD
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
out="$root/packaging/out"
version="$(python -c 'import composer; print(composer.__version__)')"
mkdir -p "$out"
python packaging/render_icons.py "$out/icons" >/dev/null
iconset="$out/mail-composer.iconset"
rm -rf "$iconset" && mkdir -p "$iconset"
for size in 16 32 128 256 512; do
  cp "$out/icons/${size}x${size}/mail-composer.png" "$iconset/icon_${size}x${size}.png"
  double=$((size * 2))
  if [ -f "$out/icons/${double}x${double}/mail-composer.png" ]; then
    cp "$out/icons/${double}x${double}/mail-composer.png" "$iconset/icon_${size}x${size}@2x.png"
  fi
done
iconutil -c icns "$iconset" -o "$out/mail-composer.icns"
python -m PyInstaller --noconfirm --distpath "$out/dist" --workpath "$out/build" \
    packaging/mail-composer.spec
app="$out/dist/Mail Composer.app"
"$app/Contents/MacOS/mail-composer" --self-test
QT_QPA_PLATFORM=offscreen "$app/Contents/MacOS/mail-composer" --smoke-test
if [ -n "${MACOS_SIGN_IDENTITY:-}" ]; then
  codesign --force --deep --options runtime --timestamp \
      --entitlements packaging/macos/entitlements.plist --sign "$MACOS_SIGN_IDENTITY" "$app"
  codesign --verify --deep --strict "$app"
fi
dmg="$out/mail-composer-$version-macos.dmg"
rm -f "$dmg"
hdiutil create -volname "Mail Composer" -srcfolder "$app" -ov -format UDZO "$dmg"
if [ -n "${MACOS_SIGN_IDENTITY:-}" ] && [ -n "${APPLE_ID:-}" ]; then
  codesign --sign "$MACOS_SIGN_IDENTITY" --timestamp "$dmg"
  xcrun notarytool submit "$dmg" --apple-id "$APPLE_ID" --team-id "$APPLE_TEAM_ID" \
      --password "$APPLE_APP_PASSWORD" --wait
  xcrun stapler staple "$dmg"
fi
ls -l "$dmg"
