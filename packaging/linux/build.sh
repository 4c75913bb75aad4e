#!/usr/bin/env bash
# Build the Linux packages from this tree: a PyInstaller onedir, a portable tarball (with a
# launcher that names missing system libraries, and a README) and a .deb (desktop entry,
# hicolor icons, AppStream metainfo, mailto: handler, copyright and licence notices).
# Output in packaging/out/. Needs: pyinstaller (pip), dpkg-deb, binutils (strip, readelf).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
export QT_QPA_PLATFORM=offscreen
out="$root/packaging/out"
version="$(python -c 'import composer; print(composer.__version__)')"
arch="$(dpkg --print-architecture 2>/dev/null || echo amd64)"
app_id="org.mailcomposer.MailComposer"

rm -rf "$out/dist" "$out/build" "$out/deb" "$out/icons" "$out/tarball"
mkdir -p "$out"
python -m PyInstaller --noconfirm --log-level WARN --distpath "$out/dist" \
    --workpath "$out/build" packaging/mail-composer.spec
python packaging/render_icons.py "$out/icons" >/dev/null

# .deb
deb="$out/deb"
mkdir -p "$deb/DEBIAN" "$deb/opt" "$deb/usr/bin" "$deb/usr/share/applications" \
    "$deb/usr/share/metainfo" "$deb/usr/share/icons/hicolor/scalable/apps"
cp -a "$out/dist/mail-composer" "$deb/opt/mail-composer"
# Libraries are loaded, not run: 0644 (Debian policy 8.1; PyInstaller copies them 0755).
find "$deb/opt/mail-composer/_internal" -type f -name "*.so*" -exec chmod 644 {} +
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

# Portable tarball: unpack anywhere, run ./mail-composer/mail-composer (the launcher; the
# app itself is mail-composer-bin beside it). Hard links: no second copy of the bundle.
mkdir -p "$out/tarball"
cp -al "$out/dist/mail-composer" "$out/tarball/mail-composer"
mv "$out/tarball/mail-composer/mail-composer" "$out/tarball/mail-composer/mail-composer-bin"
install -m 755 packaging/linux/launcher.sh "$out/tarball/mail-composer/mail-composer"
apt_names="$(printf '%s\n' "${depends_list[@]}" | sed 's/ (.*//; s/ |.*//' | grep -v '^libc6$' | tr '\n' ' ')"
sed -e "s/@VERSION@/$version/; s/@ARCH@/$arch/; s/@DEPENDS@/${apt_names% }/" \
    packaging/linux/tarball-README.txt > "$out/tarball/mail-composer/README.txt"
tar -C "$out/tarball" --owner=0 --group=0 -czf "$out/mail-composer-$version-linux-$arch.tar.gz" mail-composer

cat > "$deb/DEBIAN/control" <<CONTROL
Package: mail-composer
Version: $version
Section: mail
Priority: optional
Architecture: $arch
Maintainer: Mail Composer developers <dev@mailcomposer.invalid>
Installed-Size: 0
Depends: $depends
Suggests: gnome-keyring | kwalletmanager
Homepage: https://example.org/mail-composer
Description: write email drafts online or offline and never lose a word
 Mail Composer saves every change to a local draft cache within a second and
 syncs drafts to DataMotion SecureMail, ONLYOFFICE Mail, Exante, myKaarma
 Communications or Rebilly.
CONTROL
# Copyright (machine-readable, as Debian policy 12.5 asks), a changelog, and the lintian
# overrides for what a prebuilt app in /opt is by design.
doc="$deb/usr/share/doc/mail-composer"
mkdir -p "$doc" "$deb/usr/share/lintian/overrides"
{
  cat <<COPYRIGHT
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: mail-composer
Source: https://example.org/mail-composer
Comment: The application in /opt/mail-composer is a PyInstaller bundle: Python, Qt 6 and
 PySide6 and the Python packages it uses are included. Their licence texts are in
 /opt/mail-composer/_internal/resources/licenses/ (also shown in Help > About): Qt and
 PySide6 under the GNU LGPL version 3, Python under the PSF License, ICU under the
 Unicode licence, the other bundled libraries and Python packages under their own
 (listed in bundled-libraries.txt and python-packages.txt there).

Files: *
Copyright: Mail Composer developers
License: MIT

Files: opt/mail-composer/_internal/PySide6/* opt/mail-composer/_internal/shiboken6/*
Copyright: The Qt Company Ltd. and other contributors
License: LGPL-3
 On Debian systems, the complete text of the GNU Lesser General Public License
 version 3 can be found in "/usr/share/common-licenses/LGPL-3".

Files: opt/mail-composer/_internal/libpython*
Copyright: 2001-2024 Python Software Foundation
License: PSF-2.0
 See /opt/mail-composer/_internal/resources/licenses/Python.txt.

Files: opt/mail-composer/_internal/PySide6/Qt/lib/libicu*
Copyright: 1991-2023 Unicode, Inc.
License: Unicode-DFS-2016
 See /opt/mail-composer/_internal/resources/licenses/ICU.txt.

License: MIT
COPYRIGHT
  # the MIT text, as a DEP-5 paragraph (each line indented, blank lines as " .")
  sed -n '/^The MIT licence/,/^The BSD/p' resources/licenses/bundled-libraries.txt \
      | sed '1d;$d' | sed 's/^  */ /; s/^$/ ./' | sed '${/^ \.$/d}'
} > "$doc/copyright"
printf '%s\n' "mail-composer ($version) unstable; urgency=medium" "" \
  "  * Release $version; see https://example.org/mail-composer for the changes." "" \
  " -- Mail Composer developers <dev@mailcomposer.invalid>  $(date -R -d @"${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || date +%s)}")" \
  | gzip -9n > "$doc/changelog.gz"
chmod 644 "$doc/copyright" "$doc/changelog.gz"
install -m 644 packaging/linux/lintian-overrides "$deb/usr/share/lintian/overrides/mail-composer"
installed_kb="$(du -sk "$deb" | cut -f1)"
sed -i "s/^Installed-Size: .*/Installed-Size: $installed_kb/" "$deb/DEBIAN/control"
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
