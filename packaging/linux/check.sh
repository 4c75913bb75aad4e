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
export COMPOSER_DATA_DIR="$scratch/data" HOME="$scratch/home"
mkdir -p "$HOME"
"$bin" --version
"$bin" --self-test
"$bin" --smoke-test
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
