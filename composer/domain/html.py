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


def _attribute_filter(tag: str, attribute: str, value: str) -> str | None:
    if tag == "img" and attribute == "src":
        lowered = value.strip().lower()
        if lowered.startswith("cid:") or lowered.startswith("data:image/"):
            return value
        return None
    if attribute == "href" and value.strip().lower().startswith("data:"):
        return None
    if attribute == "style" and _CSS_URL.search(value):
        return None
    return value


_IMG_WITHOUT_SRC = re.compile(r"<img(?![^>]*\ssrc=)[^>]*>", re.IGNORECASE)


def sanitize_html(fragment: str) -> str:
    """Return ``fragment`` with everything unsafe removed; idempotent. An image whose
    source was removed (a remote one) disappears entirely."""
    return _IMG_WITHOUT_SRC.sub("", _clean(fragment))


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
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self._skip = 0
        self._pre = 0
        self._lists: list[list[int]] = []  # [ordered, counter]
        self._href: list[str | None] = []

    def _newline(self, count: int = 1) -> None:
        text = "".join(self.out)
        trailing = len(text) - len(text.rstrip("\n"))
        if text and trailing < count:
            self.out.append("\n" * (count - trailing))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style", "head", "title"):
            self._skip += 1
            return
        if tag == "br":
            self.out.append("\n")
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
                self.out.append("   " * depth + f"{self._lists[-1][1]}. ")
            else:
                self.out.append("   " * depth + "- ")
        elif tag == "tr":
            self._newline()
        elif tag in ("td", "th"):
            self.out.append("\t")
        elif tag == "hr":
            self._newline()
            self.out.append("-" * 20 + "\n")
        elif tag == "a":
            self._href.append(dict(attrs).get("href"))
        elif tag == "img":
            alt = dict(attrs).get("alt")
            if alt:
                self.out.append(f"[{alt}]")

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
        elif tag == "a" and self._href:
            href = self._href.pop()
            if href and not href.startswith("#"):
                text = "".join(self.out)
                target = href.removeprefix("mailto:")
                if not text.endswith(target):
                    self.out.append(f" <{href}>")

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        if not self._pre:
            data = re.sub(r"[ \t\r\n\f]+", " ", data)
            text = "".join(self.out)
            if not text or text.endswith(("\n", " ", "\t")):
                data = data.lstrip(" ")
        self.out.append(data)


def html_to_text(fragment: str) -> str:
    """Readable plain text for an HTML body: paragraphs, lists and links kept legible."""
    parser = _TextExtractor()
    parser.feed(fragment)
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
