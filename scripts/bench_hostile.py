"""How long 1 MB of hostile HTML takes to sanitize and to turn into text (printed, not a
test). Each shape is one that used to be quadratic or that stresses a parser: deep
nesting, unclosed formatting tags, many paragraphs, unclosed quotes and comments.

    PYTHONPATH=. python scripts/bench_hostile.py [--size BYTES] [--runs N]
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

from composer.domain.html import html_to_text, sanitize_html


def _repeat(unit: str, size: int) -> str:
    return unit * max(1, size // len(unit))


def shapes(size: int) -> dict[str, str]:
    half = size // 2
    return {
        "nested <div>": _repeat("<div>", half) + _repeat("</div>", half),
        "unclosed <div>": _repeat("<div>x", size),
        "unclosed <b><i><font>": _repeat("<b><i><font color=red>", size),
        "nested <table><tr><td>": _repeat("<table><tr><td>", size),
        "nested <ul><li>": _repeat("<ul><li>item", size),
        "paragraphs": _repeat("<p>Some words in a paragraph.</p>", size),
        "links": _repeat('<a href="https://x.example/a">link</a> ', size),
        "unclosed quotes": _repeat('<a href="x title=', size),
        "unclosed comments": _repeat("<!-- x", size),
        "stray end tags": _repeat("</p></div></b>", size),
        "entities": _repeat("&amp;&lt;&#x41;&#65;&nbsp;", size),
        "data: svg images": _repeat('<img src="data:image/svg+xml;base64,PHN2Zz4=">', size),
    }


def _time(fn: Callable[[str], str], text: str, runs: int, clock: Callable[[], float]
          ) -> float:
    times = []
    for _ in range(runs):
        start = clock()
        fn(text)
        times.append(clock() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--wall", action="store_true",
                        help="wall-clock time instead of this process's CPU time (CPU time "
                        "is steadier on a shared machine)")
    args = parser.parse_args()
    clock = time.perf_counter if args.wall else time.process_time
    print(f"{'wall-clock' if args.wall else 'CPU'} time, median of {args.runs} runs")
    print(f"{'input (' + format(args.size, ',') + ' chars)':<28} {'sanitize':>10} "
          f"{'to text':>10} {'both':>10}")
    worst = 0.0
    for name, text in shapes(args.size).items():
        clean = _time(sanitize_html, text, args.runs, clock)
        plain = _time(html_to_text, text, args.runs, clock)
        worst = max(worst, clean + plain)
        print(f"{name:<28} {clean:>9.3f}s {plain:>9.3f}s {clean + plain:>9.3f}s")
    print(f"worst case (sanitize + to text): {worst:.3f}s")


if __name__ == "__main__":
    main()
