"""A similarity report as the terminal shows it (``grade similarity``) and as JSON (``--json``).

``explain`` is the one sentence every rendering gives (the HTML report's section too): what stands out, and why
the other alike pairs do not. Names are made ``printable`` where a table shows them.
"""

from __future__ import annotations

from typing import Any

from grader.scan.similarity_model import NOISE_THRESHOLD, SimilarityReport
from grader.text.safetext import printable
from grader.text.words import counted

__all__ = ["explain", "render_similarity_table", "similarity_to_dict"]


def similarity_to_dict(report: SimilarityReport) -> dict[str, Any]:
    """The report as JSON data (``grade similarity --json``): the ranked clusters, the baselines, every pair."""
    return {
        "threshold": report.threshold,
        "noise_threshold": NOISE_THRESHOLD,
        "margin": report.margin,
        "min_shared": report.min_shared,
        "clusters": [
            {
                "rank": c.rank,
                "question": c.question_id,
                "members": list(c.members),
                "similarity": c.similarity,
                "baseline": c.baseline,
                "excess": c.excess,
                "identical": c.identical,
            }
            for c in report.clusters
        ],
        "baselines": {
            qid: {"kit": b.kit, "class": b.typical, "baseline": b.value} for qid, b in report.baselines.items()
        },
        "pairs": [
            {
                "question": p.question_id,
                "first": p.first,
                "second": p.second,
                "similarity": p.similarity,
                "first_share": p.first_share,
                "second_share": p.second_share,
                "identical": p.identical,
                "overlap": p.overlap,
                "baseline": p.baseline,
                "stands_out": p.stands_out,
            }
            for p in report.pairs
        ],
        "compared": report.compared,
        "skipped": [{"name": name, "reason": reason} for name, reason in report.skipped],
    }


def _percent(share: float) -> str:
    return f"{100 * share:.0f}%"


def _points(excess: float) -> str:
    """An excess over the baseline in percentage points: ``+51``."""
    return f"{100 * excess:+.0f}"


def _table(headers: tuple[str, ...], rows: list[tuple[str, ...]]) -> list[str]:
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip()]
    lines.extend("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows)
    return lines


def explain(report: SimilarityReport) -> str:
    """One sentence on what stands out and why the rest does not, for every rendering of the report."""
    students = {name for c in report.clusters for name in c.students}
    quiet = len(report.pairs) - len(report.flagged)
    identical = sum(1 for p in report.pairs if p.identical and not p.stands_out)
    clusters = counted(len(report.clusters), "cluster")
    return (
        f"{clusters} of answers stand{'s' if len(report.clusters) == 1 else ''} out"
        f" ({counted(len(students), 'student')}): pairs at {_percent(report.threshold)} similarity or more, at"
        f" least {round(100 * report.margin)} points above their question's baseline (how alike independent"
        f" correct answers to it are) and sharing at least {report.min_shared} characters of their own text."
        f" {counted(quiet, 'other pair')} at {_percent(report.threshold)} or more {'is' if quiet == 1 else 'are'}"
        " no more alike than independent answers to their question, or too short to tell, and not flagged"
        + (f" ({identical} of them identical files)" if identical else "")
        + ". The stubs' own text is excluded; scores are unchanged."
    )


def render_similarity_table(report: SimilarityReport, every_pair: bool = False) -> str:
    """The terminal table: one row per cluster, the most standing-out first (``every_pair``: a row per pair)."""
    if report.unavailable:
        return report.unavailable
    lines = []
    if every_pair and report.pairs:
        headers = ("question", "first", "second", "similarity", "shares", "baseline", "")
        rows = [
            (
                p.question_id,
                printable(p.first),
                printable(p.second),
                _percent(p.similarity),
                f"{_percent(p.first_share)} / {_percent(p.second_share)}",
                _percent(p.baseline),
                ", ".join(x for x in ("stands out" if p.stands_out else "", "identical" if p.identical else "") if x),
            )
            for p in report.pairs
        ]
        lines += [*_table(headers, rows), ""]
    elif report.clusters:
        headers = ("rank", "question", "similarity", "baseline", "above", "members")
        rows = [
            (
                f"{c.rank}",
                c.question_id,
                _percent(c.similarity) + (" identical" if c.identical else ""),
                _percent(c.baseline),
                _points(c.excess),
                ", ".join(printable(m) for m in c.members),
            )
            for c in report.clusters
        ]
        lines += [*_table(headers, rows), ""]
    lines.append(explain(report) + ("" if every_pair else " (--all lists every pair)"))
    lines.extend(f"{name}: {reason}" for name, reason in report.skipped)
    return "\n".join(lines)
