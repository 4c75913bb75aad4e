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
from html.parser import HTMLParser

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
_TAG_START = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9:-]*)")


def limit_depth(fragment: str, max_depth: int = MAX_DEPTH) -> str:
    """``fragment`` with start and end tags nested deeper than ``max_depth`` removed.

    One pass over the tags; the stack of kept elements never exceeds ``max_depth``, so
    the work is linear in the length of the markup whatever its shape. What a tag's
    end is (the next ``>``) is approximate; the sanitizer runs afterwards anyway."""
    out: list[str] = []
    stack: list[str] = []
    open_count: dict[str, int] = {}  # names on ``stack``: membership without a scan
    dropped: dict[str, int] = {}
    pos = 0
    for match in _TAG_START.finditer(fragment):
        start = match.start()
        if start < pos:
            continue  # inside a tag already copied
        end = fragment.find(">", match.end())
        end = len(fragment) if end < 0 else end + 1
        name = match.group(2).lower()
        closing = match.group(1) == "/"
        keep = True
        if closing:
            if dropped.get(name):
                dropped[name] -= 1
                keep = False
            elif open_count.get(name):
                while stack:
                    top = stack.pop()
                    open_count[top] -= 1
                    if top == name:
                        break
        elif name not in _VOID and fragment[end - 2:end] != "/>":
            if len(stack) >= max_depth:
                dropped[name] = dropped.get(name, 0) + 1
                keep = False
            else:
                stack.append(name)
                open_count[name] = open_count.get(name, 0) + 1
        if not keep:
            out.append(fragment[pos:start])
            pos = end
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


class _TextExtractor(HTMLParser):
    """Plain text of HTML in one pass: every step looks only at the end of what was
    written so far (kept as counters), so the conversion is linear in the input."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self._trailing_newlines = 0  # "\n" at the end of the output so far
        self._last = ""              # the last character written ("" at the start)
        self._skip = 0
        self._pre = 0
        self._lists: list[list[int]] = []  # [ordered, counter]
        self._links: list[str | None] = []  # the href of each open <a>
        self._length = 0
        self._tail = ""              # the last characters written (for link text checks)

    def _write(self, text: str) -> None:
        if not text:
            return
        self.out.append(text)
        self._length += len(text)
        stripped = text.rstrip("\n")
        if stripped:
            self._trailing_newlines = len(text) - len(stripped)
        else:
            self._trailing_newlines += len(text)
        self._last = text[-1]
        self._tail = (self._tail + text)[-512:]

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
            depth = max(len(self._lists) - 1, 0)
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
                if not self._tail.endswith(target):
                    self._write(f" <{href}>")

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        if not self._pre:
            data = _SPACES.sub(" ", data)
            if not self._last or self._last in "\n \t":
                data = data.lstrip(" ")
        self._write(data)


_SPACES = re.compile(r"[ \t\r\n\f]+")


def html_to_text(fragment: str) -> str:
    """Readable plain text for an HTML body: paragraphs kept, list items as ``* item`` or
    ``1. item``, links as ``text <url>``. Linear in the size of the markup (nesting
    deeper than ``MAX_DEPTH`` is flattened first)."""
    parser = _TextExtractor()
    parser.feed(limit_depth(fragment))
    parser.close()
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
