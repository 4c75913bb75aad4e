"""HTML bodies: sanitize what leaves (and enters) the app, convert HTML <-> plain text.

Sanitizing uses nh3 (Rust ammonia) with one pinned allowlist: no scripts, no event
handlers, no forms or frames, no stylesheets; ``style`` attributes keep only text
formatting properties (so bold/italic/colour from the editor survive); images only
from ``cid:`` (inline parts) and ``data:image/`` (embedded), never from the network,
so a draft can carry no tracking pixel and no remote CSS. Links are kept.
"""

from __future__ import annotations

import functools
import html as html_lib
import re
from collections.abc import Callable

import nh3

_TAGS = {
    "a", "abbr", "b", "bdi", "bdo", "blockquote", "br", "caption", "cite", "code", "col",
    "colgroup", "dd", "del", "div", "dl", "dt", "em", "font", "h1", "h2", "h3", "h4", "h5",
    "h6", "hr", "i", "img", "ins", "kbd", "li", "mark", "ol", "p", "pre", "q", "s", "samp",
    "small", "span", "strike", "strong", "sub", "sup", "table", "tbody", "td", "tfoot", "th",
    "thead", "tr", "tt", "u", "ul", "var",
}
_ATTRIBUTES = {
    "*": {"style", "dir", "align", "title", "lang"},
    "a": {"href", "name"},
    "img": {"src", "alt", "width", "height"},
    "font": {"color", "face", "size"},
    "ol": {"start", "type"},
    "td": {"colspan", "rowspan", "valign", "width"},
    "th": {"colspan", "rowspan", "valign", "width", "scope"},
    "table": {"border", "cellpadding", "cellspacing", "width"},
}
_STYLE_PROPERTIES = {
    "font-weight", "font-style", "font-size", "font-family", "font-variant", "color",
    "background-color", "text-decoration", "text-decoration-line", "text-align", "text-indent",
    "vertical-align", "margin", "margin-top", "margin-bottom", "margin-left", "margin-right",
    "padding", "padding-left", "line-height", "white-space", "border", "border-collapse",
    "list-style-type",
}
_URL_SCHEMES = {"http", "https", "mailto", "tel", "cid", "data"}
_CSS_URL = re.compile(r"url\s*\(|expression\s*\(|@import", re.IGNORECASE)


#: ``data:`` images that are pixels only: SVG (scripts, remote references) and anything
#: else is dropped. Base64 is required so the value cannot smuggle markup.
_RASTER_DATA = re.compile(r"data:image/(png|jpeg|jpg|gif|webp|bmp);base64,[A-Za-z0-9+/=\s]*",
                          re.IGNORECASE)


def _attribute_filter(tag: str, attribute: str, value: str) -> str | None:
    if tag == "img" and attribute == "src":
        lowered = value.strip().lower()
        if lowered.startswith("cid:") or _RASTER_DATA.fullmatch(value.strip()):
            return value
        return None
    if attribute == "href" and value.strip().lower().startswith("data:"):
        return None
    if attribute == "style" and _CSS_URL.search(value):
        return None
    return value


_IMG_WITHOUT_SRC = re.compile(r"<img(?![^>]*\ssrc=)[^>]*>", re.IGNORECASE)

#: Elements open at once beyond this depth are dropped (their text is kept) before the
#: sanitizer and the text conversion see the markup: both then stay linear in its size.
MAX_DEPTH = 256
_VOID = {
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
    "source", "track", "wbr", "keygen", "basefont", "bgsound", "frame", "isindex",
}
_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9:-]*)")


def limit_depth(fragment: str, max_depth: int = MAX_DEPTH) -> str:
    """``fragment`` with start and end tags nested deeper than ``max_depth`` removed.

    One pass over the tags (a tag without its ``>`` runs to the end, so the scan never
    goes back); the stack of kept elements never exceeds ``max_depth`` and membership is
    counted, so the work is linear in the length of the markup whatever its shape. What
    a tag spans is approximate (a ``>`` inside quotes ends it early): the sanitizer runs
    afterwards anyway."""
    if fragment.count("<") <= max_depth:
        return fragment
    out: list[str] = []
    stack: list[str] = []
    open_count: dict[str, int] = {}  # names on ``stack``: membership without a scan
    dropped: dict[str, int] = {}
    pos = 0
    void = _VOID
    for match in _TAG.finditer(fragment):
        start = match.start()
        if start < pos:
            continue  # inside a tag already removed
        closing, name = match.group(1, 2)
        name = name.lower()
        if closing:
            if dropped.get(name):
                dropped[name] -= 1
            else:
                if open_count.get(name):
                    while stack:
                        top = stack.pop()
                        open_count[top] -= 1
                        if top == name:
                            break
                continue
        elif name in void:
            continue
        elif len(stack) >= max_depth:
            dropped[name] = dropped.get(name, 0) + 1
        else:
            stack.append(name)
            open_count[name] = open_count.get(name, 0) + 1
            continue
        end = fragment.find(">", match.end())
        out.append(fragment[pos:start])
        pos = len(fragment) if end < 0 else end + 1
    if not out:
        return fragment
    out.append(fragment[pos:])
    return "".join(out)


def sanitize_html(fragment: str) -> str:
    """Return ``fragment`` with everything unsafe removed; idempotent. An image whose
    source was removed (a remote one) disappears entirely. Nesting deeper than
    ``MAX_DEPTH`` is flattened first."""
    return _IMG_WITHOUT_SRC.sub("", _clean(limit_depth(fragment)))


@functools.cache
def _cleaner() -> Callable[[str], str]:
    """The sanitizer, built once from the allowlist (building it is most of the cost of
    cleaning a short body)."""
    clean: Callable[[str], str] = nh3.Cleaner(
        tags=_TAGS,
        clean_content_tags={"script", "style", "title", "head", "template", "noscript"},
        attributes=_ATTRIBUTES,
        attribute_filter=_attribute_filter,
        url_schemes=_URL_SCHEMES,
        filter_style_properties=_STYLE_PROPERTIES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    ).clean
    return clean


def _clean(fragment: str) -> str:
    return _cleaner()(fragment)


_BLOCK = {
    "p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre",
    "table", "ul", "ol", "hr", "dl", "dt", "dd",
}


_TOKEN = re.compile(
    r"<!--.*?(?:-->|\Z)|<[!?][^>]*(?:>|\Z)"        # comments, doctypes, instructions: skipped
    r"|<(/?)([A-Za-z][A-Za-z0-9]*)([^>]*)(?:>|\Z)"  # a tag (unclosed: up to the end)
    r"|([^<]+)|<", re.DOTALL)
_ATTR = re.compile(r"""\s([A-Za-z-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")


def _attrs(text: str) -> list[tuple[str, str | None]]:
    return [(m.group(1).lower(), html_lib.unescape(m.group(2) if m.group(2) is not None
                                                   else m.group(3)))
            for m in _ATTR.finditer(text)]


_BLOCK_1 = frozenset({"div", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "table",
                      "tr"})
_BLOCK_END = frozenset({"div", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "li",
                        "table"})
_SKIPPED = frozenset({"script", "style", "head", "title"})


def _extract(markup: str) -> str:
    """Plain text of HTML in one pass over its tokens. Every step looks only at the end
    of what was written so far (kept in local counters), so the conversion is linear in
    the input; it is one function with local state because per-token method calls were
    most of its cost."""
    out: list[str] = []
    append = out.append
    trailing = 0          # "\n" at the end of the output so far
    last = ""             # the last character written ("" at the start)
    skip = pre = 0
    lists: list[list[int]] = []  # [ordered, counter] per open list
    links: list[str | None] = []  # the href of each open <a>
    relevant = _TEXT_TAGS
    spaces = _SPACES.sub

    def ends_with(target: str) -> bool:
        tail: list[str] = []
        size = 0
        for piece in reversed(out):
            tail.append(piece)
            size += len(piece)
            if size >= len(target):
                break
        return "".join(reversed(tail)).endswith(target)

    for match in _TOKEN.finditer(markup):
        closing, tag, rest, text = match.groups()
        piece = ""
        newlines = 0  # at least this many "\n" must end the output before ``piece``
        if tag is not None:
            tag = tag.lower()
            if tag not in relevant:
                continue  # (inline formatting: no effect on the text)
            ends = closing or rest.endswith("/")
            if not closing:
                if tag in _SKIPPED:
                    skip += 1
                elif tag == "br":
                    piece = "\n"
                elif tag == "p":
                    newlines = 2
                elif tag in _BLOCK_1:
                    newlines = 1
                elif tag == "pre":
                    pre += 1
                    newlines = 1
                elif tag in ("ul", "ol"):
                    lists.append([1 if tag == "ol" else 0, 0])
                    newlines = 1
                elif tag == "li":
                    newlines = 1
                    indent = "   " * min(max(len(lists) - 1, 0), _MAX_INDENT)
                    if lists and lists[-1][0]:
                        lists[-1][1] += 1
                        piece = f"{indent}{lists[-1][1]}. "
                    else:
                        piece = indent + "* "
                elif tag in ("td", "th"):
                    piece = "\t"
                elif tag == "hr":
                    newlines = 1
                    piece = "-" * 20 + "\n"
                elif tag == "a":
                    links.append(dict(_attrs(rest)).get("href") if rest else None)
                elif tag == "img":
                    alt = dict(_attrs(rest)).get("alt") if rest else None
                    piece = f"[{alt}]" if alt else ""
            if ends:
                if tag in _SKIPPED:
                    skip = max(skip - 1, 0)
                elif tag in ("ul", "ol"):
                    if lists:
                        lists.pop()
                        newlines = max(newlines, 1 if lists else 2)
                elif tag == "pre":
                    pre = max(pre - 1, 0)
                    newlines = max(newlines, 1)
                elif tag == "p":
                    newlines = 2
                elif tag in _BLOCK_END:
                    newlines = max(newlines, 1)
                elif tag == "a" and links:
                    href = links.pop()
                    if href and not href.startswith("#") and \
                            not ends_with(href.removeprefix("mailto:")):
                        piece += f" <{href}>"
        elif text is not None or match.group(0) == "<":
            if skip:
                continue
            piece = text if text is not None else "<"
            if "&" in piece:
                piece = html_lib.unescape(piece)
            if not pre:
                piece = spaces(" ", piece)
                if not last or last in "\n \t":
                    piece = piece.lstrip(" ")
        else:
            continue  # a comment or declaration
        if newlines > trailing and out:
            append("\n" * (newlines - trailing))
            trailing, last = newlines, "\n"
        if piece:
            append(piece)
            if piece[-1] != "\n":
                trailing = 0
            else:
                kept = len(piece.rstrip("\n"))
                trailing = len(piece) - kept if kept else trailing + len(piece)
            last = piece[-1]
    return "".join(out)


_TEXT_TAGS = frozenset({
    "script", "style", "head", "title", "br", "p", "div", "h1", "h2", "h3", "h4", "h5", "h6",
    "blockquote", "table", "pre", "ul", "ol", "li", "tr", "td", "th", "hr", "a", "img"})
_MAX_INDENT = 8  # list levels indented (deeper ones as deep as this: output stays linear)
_SPACES = re.compile(r"[ \t\r\n\f]+")


def html_to_text(fragment: str) -> str:
    """Readable plain text for an HTML body: paragraphs kept, list items as ``* item`` or
    ``1. item``, links as ``text <url>``. Meant for sanitized HTML (what the store
    keeps); any markup is read safely, in time linear in its size (one regular
    expression that never scans back; unclosed constructs run to the end)."""
    text = _extract(fragment)
    lines = [line.rstrip(" ") for line in text.split("\n")]
    text = "\n".join(lines)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip("\n")


def text_to_html(text: str) -> str:
    """Plain text as HTML paragraphs; the text itself is unchanged when read back."""
    if not text:
        return ""
    paragraphs = re.split(r"\n{2,}", text.replace("\r\n", "\n").replace("\r", "\n"))
    parts = []
    for para in paragraphs:
        escaped = html_lib.escape(para, quote=False).replace("\n", "<br>")
        parts.append(f"<p>{escaped}</p>")
    return "".join(parts)
