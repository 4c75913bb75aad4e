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


class _TextExtractor:
    """Plain text of sanitized HTML in one pass: every step looks only at the end of what
    was written so far (kept as counters), so the conversion is linear in the input.
    The input is the sanitizer's output (well-formed, attributes quoted), read with one
    regular expression: the stdlib's HTMLParser costs several times more per tag."""

    def feed(self, markup: str) -> None:
        for match in _TOKEN.finditer(markup):
            closing, tag, rest, text = match.groups()
            if tag is None and text is None and match.group(0) != "<":
                continue  # a comment or declaration
            if tag is not None:
                if closing:
                    self.handle_endtag(tag.lower())
                else:
                    self.handle_starttag(tag.lower(), _attrs(rest) if rest else [])
                    if rest.endswith("/"):
                        self.handle_endtag(tag.lower())
            else:
                self.handle_data(html_lib.unescape(text if text is not None else "<"))

    def __init__(self) -> None:
        self.out: list[str] = []
        self._trailing_newlines = 0  # "\n" at the end of the output so far
        self._last = ""              # the last character written ("" at the start)
        self._skip = 0
        self._pre = 0
        self._lists: list[list[int]] = []  # [ordered, counter]
        self._links: list[str | None] = []  # the href of each open <a>
        self._length = 0

    def _write(self, text: str) -> None:
        if not text:
            return
        self.out.append(text)
        self._length += len(text)
        if text[-1] != "\n":
            self._trailing_newlines = 0
        else:
            stripped = len(text.rstrip("\n"))
            self._trailing_newlines = len(text) - stripped if stripped else \
                self._trailing_newlines + len(text)
        self._last = text[-1]

    def _ends_with(self, target: str) -> bool:
        """Whether the output so far ends with ``target`` (looks back only as far as
        ``target`` is long: linear over all links)."""
        tail: list[str] = []
        size = 0
        for piece in reversed(self.out):
            tail.append(piece)
            size += len(piece)
            if size >= len(target):
                break
        return "".join(reversed(tail)).endswith(target)

    def _newline(self, count: int = 1) -> None:
        if self._length and self._trailing_newlines < count:
            self._write("\n" * (count - self._trailing_newlines))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style", "head", "title"):
            self._skip += 1
            return
        if tag == "br":
            self._write("\n")
        elif tag in ("p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "table"):
            self._newline(2 if tag == "p" else 1)
        elif tag == "pre":
            self._pre += 1
            self._newline()
        elif tag in ("ul", "ol"):
            self._lists.append([1 if tag == "ol" else 0, 0])
            self._newline()
        elif tag == "li":
            self._newline()
            depth = min(max(len(self._lists) - 1, 0), _MAX_INDENT)
            if self._lists and self._lists[-1][0]:
                self._lists[-1][1] += 1
                self._write("   " * depth + f"{self._lists[-1][1]}. ")
            else:
                self._write("   " * depth + "* ")
        elif tag == "tr":
            self._newline()
        elif tag in ("td", "th"):
            self._write("\t")
        elif tag == "hr":
            self._newline()
            self._write("-" * 20 + "\n")
        elif tag == "a":
            self._links.append(dict(attrs).get("href"))
        elif tag == "img":
            alt = dict(attrs).get("alt")
            if alt:
                self._write(f"[{alt}]")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "head", "title"):
            self._skip = max(self._skip - 1, 0)
        elif tag in ("ul", "ol") and self._lists:
            self._lists.pop()
            self._newline(1 if self._lists else 2)
        elif tag == "pre":
            self._pre = max(self._pre - 1, 0)
            self._newline()
        elif tag == "p":
            self._newline(2)
        elif tag in ("div", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "li", "table"):
            self._newline()
        elif tag == "a" and self._links:
            href = self._links.pop()
            if href and not href.startswith("#"):
                target = href.removeprefix("mailto:")
                if not self._ends_with(target):
                    self._write(f" <{href}>")

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        if not self._pre:
            data = _SPACES.sub(" ", data)
            if not self._last or self._last in "\n \t":
                data = data.lstrip(" ")
        self._write(data)


_MAX_INDENT = 8  # list levels indented (deeper ones as deep as this: output stays linear)
_SPACES = re.compile(r"[ \t\r\n\f]+")


def html_to_text(fragment: str) -> str:
    """Readable plain text for an HTML body: paragraphs kept, list items as ``* item`` or
    ``1. item``, links as ``text <url>``. Meant for sanitized HTML (what the store
    keeps); any markup is read safely, in time linear in its size (one regular
    expression that never scans back; unclosed constructs run to the end)."""
    parser = _TextExtractor()
    parser.feed(fragment)
    lines = [line.rstrip(" ") for line in "".join(parser.out).split("\n")]
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
