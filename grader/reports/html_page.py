"""The shell every page of the HTML report shares: the CSS, the Content-Security-Policy, small cell helpers.

Every helper here takes HTML that is already escaped (or builds it from trusted constants); what a candidate
controls is escaped by the caller with ``html.escape`` before it reaches them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from grader.book.results import STATUS_SYMBOLS
from grader.reports.table import status_label
from grader.text.safetext import html_text

__all__ = ["CSP", "CSS", "cell", "fmt", "num", "page", "row", "status_class", "status_html"]

_UNSAFE_CLASS_CHARS = re.compile(r"[^A-Za-z0-9_-]")

CSS = """
:root { color-scheme: light; --fg: #1f2328; --muted: #59636e; --line: #d1d9e0; --accent: #0969da;
  --passed: #1a7f37; --failed: #cf222e; --error: #8250df; --timeout: #9a6700; --missing: #59636e; }
* { box-sizing: border-box; }
body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif;
  color: var(--fg); margin: 0 auto; padding: 24px 32px 48px; max-width: 1200px; background: #fff; }
h1 { font-size: 1.6em; margin: 0 0 4px; }
h2 { font-size: 1.2em; margin: 32px 0 8px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
h3 { font-size: 1.05em; margin: 20px 0 6px; }
h4 { font-size: 0.95em; margin: 14px 0 4px; }
a { color: var(--accent); text-decoration: none; }
a:hover { text-decoration: underline; }
.summary { color: var(--muted); margin: 0 0 8px; }
.wide { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 6px 10px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { background: #f6f8fa; font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tbody tr:hover { background: #f6f8fa; }
.status { font-weight: 600; white-space: nowrap; }
.status-passed { color: var(--passed); } .status-failed { color: var(--failed); }
.status-error { color: var(--error); } .status-timeout { color: var(--timeout); }
.status-missing, .status-not_attempted { color: var(--missing); }
.note { color: var(--muted); font-size: 0.92em; }
.note.problem, .problem-box { color: var(--error); }
.problem-box { border: 1px solid var(--error); border-radius: 6px; padding: 8px 12px; background: #fbefff; }
.warnings, .flags { color: var(--timeout); }
table#grid { width: auto; }
#grid th.q { text-align: center; padding: 6px 2px; min-width: 26px; font-variant-numeric: tabular-nums; }
#grid td.cell { text-align: center; padding: 0; border: 1px solid #fff; }
#grid td.cell a { display: block; padding: 5px 2px; font-weight: 700; color: inherit; }
#grid td.cell a:hover { text-decoration: none; outline: 2px solid var(--accent); }
td.cell.status-passed, .legend .status-passed { background: #dafbe1; }
td.cell.status-failed, .legend .status-failed { background: #ffebe9; }
td.cell.status-error, .legend .status-error { background: #fbefff; }
td.cell.status-timeout, .legend .status-timeout { background: #fff8c5; }
td.cell.status-missing, .legend .status-missing { background: #eaeef2; }
td.cell.status-not_attempted, .legend .status-not_attempted { background: #f6f8fa; }
.legend { display: flex; flex-wrap: wrap; gap: 6px 16px; padding: 0; list-style: none; margin: 8px 0; }
.legend li span { display: inline-block; min-width: 22px; text-align: center; font-weight: 700;
  border-radius: 4px; margin-right: 4px; }
.charts { display: flex; flex-wrap: wrap; gap: 24px 40px; align-items: flex-start; }
.chart { margin: 0; }
.chart svg { max-width: 100%; height: auto; display: block; }
.chart figcaption { font-weight: 600; margin-bottom: 6px; }
svg text { font: 12px system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; fill: var(--fg); }
svg .axis { stroke: var(--muted); stroke-width: 1; }
svg .track { fill: #eef1f4; }
#score-histogram .bar { fill: var(--accent); }
#pass-rates .bar.high { fill: var(--passed); } #pass-rates .bar.mid { fill: #bf8700; }
#pass-rates .bar.low { fill: var(--failed); }
svg .bar:hover { opacity: 0.8; }
table#score-stats { width: auto; }
pre { white-space: pre-wrap; word-break: break-word; background: #f6f8fa; border: 1px solid var(--line);
  border-radius: 6px; padding: 8px 12px; margin: 4px 0 12px; font: 13px/1.45 ui-monospace, "DejaVu Sans Mono",
  monospace; }
.highlight pre { margin: 4px 0 12px; }
.test-name { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 0.92em; }
section.question { border-top: 1px solid var(--line); margin-top: 24px; }
#answers section.question:first-child { border-top: 0; margin-top: 0; }
section.question h3 .points { color: var(--muted); font-weight: 400; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; margin: 6px 0 10px; }
dl.facts dt { color: var(--muted); } dl.facts dd { margin: 0; }
details summary { cursor: pointer; color: var(--accent); }
nav { margin-bottom: 12px; }
"""
# No script may run, whatever escaping mistake a future edit makes; styles are inline; the icon is empty.
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"


def fmt(value: float) -> str:
    """A number as people write points: ``1.5``, ``2``."""
    return f"{value:g}"


def page(title: str, body: str, extra_css: str = "") -> str:
    """A whole page: ``body`` and ``extra_css`` are trusted (already escaped); ``title`` is escaped here."""
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<link rel="icon" href="data:,">\n'
        f"<title>{html_text(title)}</title>\n<style>{CSS}{extra_css}</style>\n</head>\n<body>\n{body}</body>\n</html>\n"
    )


def cell(html: str, tag: str = "td", cls: str = "") -> str:
    """A table cell around already-escaped ``html``."""
    attr = f' class="{cls}"' if cls else ""
    return f"<{tag}{attr}>{html}</{tag}>"


def num(html: str, tag: str = "td") -> str:
    return cell(html, tag, "num")


def row(cells: Iterable[str], attrs: str = "") -> str:
    return f"<tr{attrs}>" + "".join(cells) + "</tr>"


def status_class(status: str) -> str:
    return "status status-" + _UNSAFE_CLASS_CHARS.sub("-", status)


def status_html(status: str, flagged: bool = False) -> str:
    """``✓ passed`` in the status's colour, with a ``*`` when a static read flagged the code."""
    symbol = STATUS_SYMBOLS.get(status, "?")
    text = f"{symbol} {status_label(status)}" + ("*" if flagged else "")
    return f'<span class="{status_class(status)}">{html_text(text)}</span>'
