#!/usr/bin/env bash
# Check the built Linux packages as shipped: metadata, file list, desktop entry, and the
# frozen binary's --self-test and --smoke-test (offscreen), installed from the .deb into a
# scratch root. Prints sizes and start times for the README.
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
    ./usr/share/icons/hicolor/scalable/apps/org.mailcomposer.MailComposer.svg; do
  grep -q " $want" <<<"$contents" || { echo "missing from .deb: $want"; exit 1; }
done
if grep -q -E "QtWebEngine|Qt6Quick|Qt6Qml|Qt6Pdf" <<<"$contents"; then
  echo "unwanted Qt modules in the package"; exit 1
fi
desktop-file-validate "$root/resources/linux/org.mailcomposer.MailComposer.desktop"
grep -q "^MimeType=.*x-scheme-handler/mailto;" "$root/resources/linux/org.mailcomposer.MailComposer.desktop"
if command -v appstreamcli >/dev/null; then
  appstreamcli validate --no-net --pedantic "$root/resources/linux/org.mailcomposer.MailComposer.metainfo.xml" >/dev/null || \
  appstreamcli validate --no-net "$root/resources/linux/org.mailcomposer.MailComposer.metainfo.xml"
fi

scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
dpkg-deb -x "$deb" "$scratch/root"
bin="$scratch/root/opt/mail-composer/mail-composer"

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
"$bin" --version
"$bin" --self-test
"$bin" --smoke-test
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

# Figures for the README.
installed="$(du -sm "$scratch/root" | cut -f1)"
echo "download: .deb $(du -m "$deb" | cut -f1) MB, tarball $(du -m "$tarball" | cut -f1) MB; installed ${installed} MB"
time_it() {  # median of 5 wall-clock starts, in ms
  python3 - "$@" <<'PY'
import statistics, subprocess, sys, time
runs = []
for _ in range(5):
    t = time.perf_counter(); subprocess.run(sys.argv[1:], check=True, capture_output=True)
    runs.append((time.perf_counter() - t) * 1000)
print(f"{statistics.median(runs):.0f}")
PY
}
frozen="$(time_it "$bin" --smoke-test)"
unfrozen="$(cd "$root" && time_it python3 -m composer --smoke-test)"
echo "start (--smoke-test, median of 5): frozen ${frozen} ms, unfrozen ${unfrozen} ms"
echo "linux packages: OK"
