#!/bin/sh
# Mail Composer, portable tarball: runs the app; when it does not start, names the system
# packages whose libraries are missing (the tarball takes the desktop's own libraries,
# X11/xcb, Wayland, GL, fontconfig, from the system, as the .deb does through Depends).
here="$(cd "$(dirname "$0")" && pwd)"
"$here/mail-composer-bin" "$@"
status=$?
[ "$status" -eq 0 ] || [ "$status" -eq 2 ] && exit "$status"  # ran, or a usage error

ldd="${MAIL_COMPOSER_LDD:-ldd}"
lib="$here/_internal"
missing="$(
  for f in "$here/mail-composer-bin" "$lib"/PySide6/Qt/plugins/platforms/libqxcb.so \
      "$lib"/PySide6/Qt/plugins/platforms/libqwayland.so "$lib"/PySide6/Qt/lib/libQt6Gui.so.6 \
      "$lib"/PySide6/Qt/lib/libQt6Widgets.so.6 "$lib"/PySide6/Qt/lib/libQt6XcbQpa.so.6; do
    [ -e "$f" ] || [ -n "${MAIL_COMPOSER_LDD:-}" ] || continue
    LD_LIBRARY_PATH="$lib:$lib/PySide6/Qt/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" \
        "$ldd" "$f" 2>/dev/null
  done | awk '/=> not found/ {print $1}' | LC_ALL=C sort -u
)"
[ -n "$missing" ] || exit "$status"
packages=""
for so in $missing; do
  case "$so" in
    libxcb-cursor.so.*) pkg=libxcb-cursor0 ;;
    libxcb-icccm.so.*) pkg=libxcb-icccm4 ;;
    libxcb-keysyms.so.*) pkg=libxcb-keysyms1 ;;
    libxcb-image.so.*) pkg=libxcb-image0 ;;
    libxcb-render-util.so.*) pkg=libxcb-render-util0 ;;
    libxcb-util.so.*) pkg=libxcb-util1 ;;
    libxcb-xkb.so.*) pkg=libxcb-xkb1 ;;
    libxcb-*.so.*) pkg="$(echo "$so" | sed 's/\.so\.\([0-9]*\).*/\1/')" ;;
    libxcb.so.*) pkg=libxcb1 ;;
    libX11-xcb.so.*) pkg=libx11-xcb1 ;;
    libX11.so.*) pkg=libx11-6 ;;
    libxkbcommon-x11.so.*) pkg=libxkbcommon-x11-0 ;;
    libxkbcommon.so.*) pkg=libxkbcommon0 ;;
    libEGL.so.*) pkg=libegl1 ;;
    libGL.so.*|libGLX.so.*|libOpenGL.so.*) pkg=libgl1 ;;
    libfontconfig.so.*) pkg=libfontconfig1 ;;
    libfreetype.so.*) pkg=libfreetype6 ;;
    libdbus-1.so.*) pkg=libdbus-1-3 ;;
    libglib-2.0.so.*|libgthread-2.0.so.*) pkg=libglib2.0-0 ;;
    libwayland-client.so.*) pkg=libwayland-client0 ;;
    libwayland-cursor.so.*) pkg=libwayland-cursor0 ;;
    libssl.so.*|libcrypto.so.*) pkg=libssl3 ;;
    libstdc++.so.*) pkg=libstdc++6 ;;
    *) pkg="" ;;
  esac
  echo "mail-composer: missing system library $so${pkg:+ (Debian/Ubuntu package: $pkg)}" >&2
  [ -n "$pkg" ] && case " $packages " in *" $pkg "*) ;; *) packages="$packages $pkg" ;; esac
done
if [ -n "$packages" ]; then
  echo "mail-composer: install it with: sudo apt install$packages" >&2
  echo "  (Ubuntu 22.04: libxcb-cursor0 is in the 'universe' component)" >&2
fi
exit "$status"
