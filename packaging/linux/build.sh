#!/usr/bin/env bash
# Build the Linux packages from this tree: a PyInstaller onedir, a portable tarball and a
# .deb (desktop entry, hicolor icons, AppStream metainfo, mailto: handler).
# Output in packaging/out/. Needs: pyinstaller (pip), dpkg-deb, binutils (strip, readelf).
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
# The system libraries the frozen app links against and does not bundle (see
# _LINUX_SYSTEM_LIBS in the spec; check.sh fails if one's package is missing here). The
# t64 names are Ubuntu 24.04's. glibc 2.35 / GCC 11's libstdc++ / OpenSSL 3 are what the
# bundled Python and Qt need, i.e. Debian 12, Ubuntu 22.04 or newer.
depends_list=(
  "libc6 (>= 2.35)" "libstdc++6 (>= 11)" libgcc-s1 "libssl3 | libssl3t64"
  "libglib2.0-0 | libglib2.0-0t64" libdbus-1-3 zlib1g libzstd1 liblzma5 libbz2-1.0 libuuid1
  libfontconfig1 libfreetype6 libegl1 libgl1 libxkbcommon0 libxkbcommon-x11-0
  libx11-6 libx11-xcb1 libxcb1 libxcb-cursor0 libxcb-glx0 libxcb-icccm4 libxcb-image0
  libxcb-keysyms1 libxcb-randr0 libxcb-render0 libxcb-render-util0 libxcb-shape0 libxcb-shm0
  libxcb-sync1 libxcb-util1 libxcb-xfixes0 libxcb-xkb1
  libwayland-client0 libwayland-cursor0
)
depends="$(IFS=,; echo "${depends_list[*]}" | sed 's/,/, /g')"
cat > "$deb/DEBIAN/control" <<CONTROL
Package: mail-composer
Version: $version
Section: mail
Priority: optional
Architecture: $arch
Maintainer: Mail Composer developers <dev@mailcomposer.invalid>
Installed-Size: $installed_kb
Depends: $depends
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
