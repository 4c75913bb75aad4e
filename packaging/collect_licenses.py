"""Write the licence texts of the Python packages a frozen build bundles (the runtime
dependency closure of mail-composer, without extras) to one file, for the app's About
box and every bundle's licences folder.

    python packaging/collect_licenses.py OUT_FILE
"""

from __future__ import annotations

import re
import sys
from importlib import metadata
from pathlib import Path

ROOT = "mail-composer"
_LICENCE_FILE = re.compile(r"(^|/)(licen[cs]e|copying|notice|authors)[^/]*$", re.IGNORECASE)


def _name(requirement: str) -> str | None:
    """The distribution a requirement names, or None for extras-only/markers not met."""
    head, _, marker = requirement.partition(";")
    if "extra ==" in marker:
        return None
    if marker.strip():
        from packaging.markers import Marker

        if not Marker(marker.strip()).evaluate():
            return None
    match = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", head)
    return match.group(1) if match else None


def closure(root: str = ROOT) -> list[metadata.Distribution]:
    seen: dict[str, metadata.Distribution] = {}
    todo = [root]
    while todo:
        name = todo.pop()
        key = re.sub(r"[-_.]+", "-", name).lower()
        if key in seen:
            continue
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            continue
        seen[key] = dist
        todo += [n for r in dist.requires or [] if (n := _name(r))]
    seen.pop(ROOT, None)
    return sorted(seen.values(), key=lambda d: d.metadata["Name"].lower())


def notice(dist: metadata.Distribution) -> str:
    meta = dist.metadata
    licence = meta.get("License-Expression") or meta.get("License") or ""
    if len(licence) > 200 or "\n" in licence:  # the whole text in the field
        licence = ""
    classifiers = [c.split(" :: ")[-1] for c in meta.get_all("Classifier") or []
                   if c.startswith("License ::")]
    lines = [f"{meta['Name']} {dist.version}",
             f"Licence: {licence or ', '.join(classifiers) or 'see below'}"]
    if meta.get("Home-page"):
        lines.append(f"Home page: {meta['Home-page']}")
    texts = []
    for file in dist.files or []:
        name = str(file)
        in_metadata = ".dist-info/" in name
        top_level = name.count("/") <= 1 and not name.endswith(".py")
        if _LICENCE_FILE.search(name) and (in_metadata or top_level):
            path = Path(str(file.locate()))
            if path.is_file():
                texts.append(path.read_text(encoding="utf-8", errors="replace").strip())
    if not texts and meta.get("License") and "\n" in meta["License"]:
        texts.append(meta["License"].strip())
    body = "\n\n".join(dict.fromkeys(texts)) or (
        "(the package ships no licence file; its licence is named above, the texts of the\n"
        "LGPL, GPL, Apache and PSF licences are in the files beside this one)")
    return "\n".join(lines) + "\n\n" + body + "\n"


def main(out: Path) -> int:
    dists = closure()
    if not dists:
        print(f"collect_licenses: {ROOT} is not installed", file=sys.stderr)
        return 1
    rule = "\n" + "=" * 78 + "\n\n"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("Python packages bundled with Mail Composer, with their licences\n\n"
                   + rule.join(notice(d) for d in dists), encoding="utf-8")
    print(f"{out}: {len(dists)} packages")
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1])))
