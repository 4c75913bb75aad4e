#!/usr/bin/env bash
# Check the built Linux packages as shipped: metadata, file list, the packaged desktop
# entry and metainfo, copyright and licence notices, lintian (errors fail; when installed),
# the frozen binary's --self-test (with inline JPEG/GIF/WebP/SVG drawn) and --smoke-test
# (offscreen), installed from the .deb into a scratch root; the tarball's launcher and
# README. Prints sizes and start times (frozen vs unfrozen, interleaved) for the README.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
out="$root/packaging/out"
# No `cmd | grep -q` / `| head` under pipefail: the reader closing early kills the writer
# with SIGPIPE and the script exits 141. Capture output first, then match.
debs=("$out"/mail-composer_*.deb)
tarballs=("$out"/mail-composer-*-linux-*.tar.gz)
deb="${debs[0]}"
tarball="${tarballs[0]}"
[ -f "$deb" ] || { echo "no .deb in $out: run packaging/linux/build.sh first"; exit 1; }
[ -f "$tarball" ] || { echo "no tarball in $out: run packaging/linux/build.sh first"; exit 1; }
export QT_QPA_PLATFORM=offscreen

info="$(dpkg-deb --info "$deb")"
grep -q "Package: mail-composer" <<<"$info" || { echo "bad .deb control: $info"; exit 1; }
contents="$(dpkg-deb --contents "$deb")"
for want in ./usr/bin/mail-composer ./opt/mail-composer/mail-composer \
    ./usr/share/applications/org.mailcomposer.MailComposer.desktop \
    ./usr/share/metainfo/org.mailcomposer.MailComposer.metainfo.xml \
    ./usr/share/icons/hicolor/256x256/apps/org.mailcomposer.MailComposer.png \
    ./usr/share/icons/hicolor/scalable/apps/org.mailcomposer.MailComposer.svg \
    ./usr/share/doc/mail-composer/copyright \
    ./opt/mail-composer/_internal/resources/licenses/LGPL-3.0.txt \
    ./opt/mail-composer/_internal/resources/licenses/Python.txt \
    ./opt/mail-composer/_internal/resources/licenses/ICU.txt \
    ./opt/mail-composer/_internal/resources/licenses/python-packages.txt \
    ./opt/mail-composer/_internal/PySide6/Qt/plugins/imageformats/libqjpeg.so \
    ./opt/mail-composer/_internal/PySide6/Qt/plugins/imageformats/libqgif.so \
    ./opt/mail-composer/_internal/PySide6/Qt/plugins/imageformats/libqwebp.so; do
  grep -q " $want" <<<"$contents" || { echo "missing from .deb: $want"; exit 1; }
done
if grep -q -E "QtWebEngine|Qt6Quick|Qt6Qml|Qt6Pdf" <<<"$contents"; then
  echo "unwanted Qt modules in the package"; exit 1
fi
control="$(dpkg-deb --field "$deb" Recommends Suggests)"
grep -q "^Suggests: .*gnome-keyring" <<<"$control" && ! grep -q "^Recommends:" <<<"$control" \
  || { echo "the keyring stack should be Suggested, not Recommended: $control"; exit 1; }

scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
dpkg-deb -x "$deb" "$scratch/root"
bin="$scratch/root/opt/mail-composer/mail-composer"

# The desktop entry and metainfo as packaged (not the source tree's).
desktop="$scratch/root/usr/share/applications/org.mailcomposer.MailComposer.desktop"
desktop-file-validate "$desktop"
grep -q "^MimeType=.*x-scheme-handler/mailto;" "$desktop"
grep -q "^Exec=mail-composer %u$" "$desktop"
if command -v appstreamcli >/dev/null; then
  metainfo="$scratch/root/usr/share/metainfo/org.mailcomposer.MailComposer.metainfo.xml"
  appstreamcli validate --no-net --pedantic "$metainfo" >/dev/null || \
  appstreamcli validate --no-net "$metainfo"
fi
copyright="$scratch/root/usr/share/doc/mail-composer/copyright"
grep -q "^Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/" "$copyright"
grep -q "^License: LGPL-3" "$copyright"
if command -v lintian >/dev/null; then
  # errors fail; warnings are printed (the overrides list what a bundle in /opt is)
  lintian --fail-on error --tag-display-limit 0 "$deb" || { echo "lintian: errors"; exit 1; }
  echo "lintian: no errors"
else
  echo "lintian not installed: skipped (apt-get install lintian)"
fi

# Every library the bundle links against and does not ship must come from a package in
# Depends (the spec takes the desktop's own libraries from the system). Libraries not
# installed on this machine cannot be mapped to a package: listed, not failed.
depends="$(dpkg-deb --field "$deb" Depends)"
python3 - "$scratch/root/opt/mail-composer" "$depends" <<'PY'
import os, re, subprocess, sys
root, depends = sys.argv[1], sys.argv[2]
allowed = {alt.split()[0] for dep in depends.split(",") for alt in dep.split("|") if alt.strip()}
bundled, needed = set(), {}
for folder, _, files in os.walk(root):
    for name in files:
        path = os.path.join(folder, name)
        bundled.add(name)
        if os.path.islink(path):
            continue
        with open(path, "rb") as f:
            if f.read(4) != b"\x7fELF":
                continue
        out = subprocess.run(["readelf", "-d", path], capture_output=True, text=True,
                             check=True).stdout
        for lib in re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", out):
            needed.setdefault(lib, os.path.relpath(path, root))
external = sorted(set(needed) - bundled)
found = subprocess.run(["dpkg", "-S", *(f"*/{lib}" for lib in external)],
                       capture_output=True, text=True).stdout
owners = {}
for line in found.splitlines():
    pkgs, _, path = line.partition(": ")
    owners.setdefault(os.path.basename(path), set()).update(
        p.strip().split(":")[0] for p in pkgs.split(","))
bad, unknown = [], []
for lib in external:
    pkgs = owners.get(lib)
    if lib.startswith("libQt"):  # a kept plugin needs a Qt module the spec leaves out
        bad.append(f"{lib}, not bundled (needed by {needed[lib]})")
    elif not pkgs:
        unknown.append(f"{lib} (needed by {needed[lib]})")
    elif not pkgs & allowed:
        bad.append(f"{lib} from {'/'.join(sorted(pkgs))} (needed by {needed[lib]})")
if unknown:
    print("not installed here, so not checked against Depends:", ", ".join(unknown))
if bad:
    sys.exit("libraries neither bundled nor from a package in Depends: " + "; ".join(bad))
print(f"system libraries: {len(external)}, all from Depends")
PY
export COMPOSER_DATA_DIR="$scratch/data" HOME="$scratch/home"
mkdir -p "$HOME"
version_out="$("$bin" --version)"
grep -qx "mail-composer [0-9][0-9.a-z]*" <<<"$version_out" || { echo "--version: $version_out"; exit 1; }
selftest="$("$bin" --self-test)" || { echo "$selftest"; echo "frozen --self-test failed"; exit 1; }
echo "$selftest"
for want in "ok   qt:" "ok   images: jpeg, gif, webp, svg" "ok   database:" "self-test passed"; do
  grep -qF "$want" <<<"$selftest" || { echo "frozen --self-test lacks: $want"; exit 1; }
done
smoke="$("$bin" --smoke-test)"
grep -q "^smoke test: painted [1-9][0-9]*x[1-9][0-9]*$" <<<"$smoke" || { echo "--smoke-test: $smoke"; exit 1; }
# Without a display: one line and exit 1, not Qt's abort (134).
set +e
nodisplay="$(env -u QT_QPA_PLATFORM -u DISPLAY -u WAYLAND_DISPLAY "$bin" 2>&1)"; rc=$?
set -e
[ "$rc" = 1 ] && grep -q "^mail-composer: error: cannot open a window: no display" <<<"$nodisplay" \
  || { echo "no display: exit $rc: $nodisplay"; exit 1; }
# And under a real X server (the xcb plugin: QT_QPA_PLATFORM unset), when xvfb-run is
# installed (apt-get install xvfb) and so are the .deb's X11 Depends.
if command -v xvfb-run >/dev/null; then
  xcb_ldd="$(LD_LIBRARY_PATH="$scratch/root/opt/mail-composer/_internal" \
      ldd "$scratch/root/opt/mail-composer/_internal/PySide6/Qt/plugins/platforms/libqxcb.so" 2>&1 || true)"
  if grep -q "not found" <<<"$xcb_ldd"; then
    echo "X11 smoke test skipped, not installed here:" $(grep "not found" <<<"$xcb_ldd" | awk '{print $1}' | sort -u)
  else
    env -u QT_QPA_PLATFORM xvfb-run -a "$bin" --smoke-test
    echo "X11 (xvfb-run) --smoke-test: OK"
  fi
fi
id="$("$bin" draft new --subject "packaged" --to "a@x.test")"
shown="$("$bin" draft show "$id" --json)"
grep -q '"subject": "packaged"' <<<"$shown" || { echo "frozen draft show: $shown"; exit 1; }

# The portable tarball: its launcher runs the app, names missing libraries' packages, and
# there is a README.
mkdir "$scratch/tar"
tar -C "$scratch/tar" -xzf "$tarball"
launcher="$scratch/tar/mail-composer/mail-composer"
[ -f "$scratch/tar/mail-composer/README.txt" ] || { echo "tarball: no README.txt"; exit 1; }
grep -q "universe" "$scratch/tar/mail-composer/README.txt"
head -c 2 "$launcher" | grep -q '#!' || { echo "tarball: mail-composer is not the launcher"; exit 1; }
tar_selftest="$("$launcher" --self-test)"
grep -q "self-test passed" <<<"$tar_selftest" || { echo "tarball --self-test: $tar_selftest"; exit 1; }
printf '#!/bin/sh\nprintf "\\tlibxcb-cursor.so.0 => not found\\n\\tlibEGL.so.1 => not found\\n"\n' > "$scratch/fake-ldd"
chmod +x "$scratch/fake-ldd"
set +e
said="$(env -u QT_QPA_PLATFORM -u DISPLAY -u WAYLAND_DISPLAY MAIL_COMPOSER_LDD="$scratch/fake-ldd" "$launcher" 2>&1)"; rc=$?
set -e
[ "$rc" = 1 ] && grep -q "sudo apt install libegl1 libxcb-cursor0" <<<"$said" \
  || { echo "tarball launcher, missing libraries: exit $rc: $said"; exit 1; }
echo "tarball launcher: OK"

# Figures for the README.
installed="$(du -sm "$scratch/root" | cut -f1)"
echo "download: .deb $(du -m "$deb" | cut -f1) MB, tarball $(du -m "$tarball" | cut -f1) MB; installed ${installed} MB"
# Start time to the first painted frame: frozen and unfrozen runs interleaved (so a busy
# moment of the machine hits both alike), after one warm-up run of each (disk cache).
(cd "$root" && python3 - "$bin" <<'PY'
import statistics, subprocess, sys, time
commands = {"frozen": [sys.argv[1], "--smoke-test"],
            "unfrozen": [sys.executable, "-m", "composer", "--smoke-test"]}
runs = {name: [] for name in commands}
for round in range(6):
    for name, command in commands.items():
        t = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        if round:  # round 0 is the warm-up
            runs[name].append((time.perf_counter() - t) * 1000)
print("start (--smoke-test, median of 5, interleaved after a warm-up): "
      + ", ".join(f"{name} {statistics.median(r):.0f} ms" for name, r in runs.items()))
PY
)
echo "linux packages: OK"
