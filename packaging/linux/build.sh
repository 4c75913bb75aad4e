#!/usr/bin/env bash
# Build the Linux packages from this tree: a PyInstaller onedir, a portable tarball and a
# .deb (desktop entry, hicolor icons, AppStream metainfo, mailto: handler).
# Output in packaging/out/. Needs: pyinstaller (pip), dpkg-deb.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
export QT_QPA_PLATFORM=offscreen
out="$root/packaging/out"
version="$(python -c 'import composer; print(composer.__version__)')"
arch="$(dpkg --print-architecture 2>/dev/null || echo amd64)"
app_id="org.mailcomposer.MailComposer"

rm -rf "$out/dist" "$out/build" "$out/deb" "$out/icons"
mkdir -p "$out"
python -m PyInstaller --noconfirm --log-level WARN --distpath "$out/dist" \
    --workpath "$out/build" packaging/mail-composer.spec
python packaging/render_icons.py "$out/icons" >/dev/null

# Portable tarball: unpack anywhere, run ./mail-composer/mail-composer.
tar -C "$out/dist" -czf "$out/mail-composer-$version-linux-$arch.tar.gz" mail-composer

# .deb
deb="$out/deb"
mkdir -p "$deb/DEBIAN" "$deb/opt" "$deb/usr/bin" "$deb/usr/share/applications" \
    "$deb/usr/share/metainfo" "$deb/usr/share/icons/hicolor/scalable/apps"
cp -a "$out/dist/mail-composer" "$deb/opt/mail-composer"
ln -s /opt/mail-composer/mail-composer "$deb/usr/bin/mail-composer"
install -m 644 resources/linux/$app_id.desktop "$deb/usr/share/applications/"
install -m 644 resources/linux/$app_id.metainfo.xml "$deb/usr/share/metainfo/"
install -m 644 resources/app/mail-composer.svg \
    "$deb/usr/share/icons/hicolor/scalable/apps/$app_id.svg"
for size in 16 24 32 48 64 128 256 512; do
  mkdir -p "$deb/usr/share/icons/hicolor/${size}x${size}/apps"
  install -m 644 "$out/icons/${size}x${size}/mail-composer.png" \
      "$deb/usr/share/icons/hicolor/${size}x${size}/apps/$app_id.png"
done
installed_kb="$(du -sk "$deb" | cut -f1)"
cat > "$deb/DEBIAN/control" <<CONTROL
Package: mail-composer
Version: $version
Section: mail
Priority: optional
Architecture: $arch
Maintainer: Mail Composer developers <dev@mailcomposer.invalid>
Installed-Size: $installed_kb
Depends: libc6, libegl1, libgl1, libxkbcommon0, libxkbcommon-x11-0, libfontconfig1, libdbus-1-3, libxcb-cursor0
Recommends: gnome-keyring | kwalletmanager
Homepage: https://example.org/mail-composer
Description: write email drafts online or offline and never lose a word
 Mail Composer saves every change to a local draft cache within a second and
 syncs drafts to DataMotion SecureMail, ONLYOFFICE Mail, Exante, myKaarma
 Communications or Rebilly.
CONTROL
cat > "$deb/DEBIAN/postinst" <<'POSTINST'
#!/bin/sh
set -e
if command -v update-desktop-database >/dev/null 2>&1; then update-desktop-database -q || true; fi
if command -v gtk-update-icon-cache >/dev/null 2>&1; then gtk-update-icon-cache -q /usr/share/icons/hicolor || true; fi
POSTINST
cp "$deb/DEBIAN/postinst" "$deb/DEBIAN/postrm"
chmod 755 "$deb/DEBIAN/postinst" "$deb/DEBIAN/postrm"
dpkg-deb --root-owner-group -Zxz --build "$deb" "$out/mail-composer_${version}_${arch}.deb" >/dev/null
echo "built:"
ls -l "$out"/*.deb "$out"/*.tar.gz
