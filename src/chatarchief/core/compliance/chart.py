"""The monthly chart: securing moments and findings per month over the past 12 months, as an SVG.

Written by hand (about a hundred lines) rather than with a plotting library: the output is a small,
deterministic, accessible SVG without script or inline style (the web app's CSP allows it inline),
and the heavy libraries (matplotlib) would add tens of megabytes for two bar series. The SVG has a
`<title>` and a `<desc>` (role="img"), every bar its own `<title>` with the numbers, and
`table_rows()` gives the same numbers for the table that accompanies it (the fallback).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from html import escape

from chatarchief.core.compliance.dates import MONTHS_SHORT, local_date
from chatarchief.core.compliance.status import FindingFact

COLOURS = {
    "secured": "#01689b",
    "by_custodian": "#d52b1e",
    "by_others": "#e17000",
    "grid": "#cccccc",
    "text": "#1a1a1a",
}
WORDS = {
    "nl": {
        "secured": "borgmomenten",
        "by_custodian": "bevindingen door de functionaris",
        "by_others": "bevindingen door anderen",
        "title": "Borgmomenten en bevindingen per maand",
        "desc": "Staafdiagram over {months} maanden, {first} tot en met {last}: {secured} borgmomenten, "
        "{by_custodian} bevindingen door de functionaris en {by_others} door anderen. "
        "De tabel eronder geeft dezelfde getallen.",
    },
    "en": {
        "secured": "securing moments",
        "by_custodian": "findings by the custodian",
        "by_others": "findings by others",
        "title": "Securing moments and findings per month",
        "desc": "Bar chart over {months} months, {first} to {last}: {secured} securing moments, "
        "{by_custodian} findings by the custodian and {by_others} by others. The table below gives the same numbers.",
    },
}


@dataclass(frozen=True)
class MonthBucket:
    year: int
    month: int
    secured: int = 0
    by_custodian: int = 0
    by_others: int = 0

    @property
    def findings(self) -> int:
        return self.by_custodian + self.by_others

    def label(self, lang: str = "nl") -> str:
        return f"{MONTHS_SHORT[_lang(lang)][self.month - 1]} {self.year}"


def _lang(lang: str) -> str:
    return "nl" if lang.startswith("nl") else "en"


def month_range(end: dt.date, months: int = 12) -> list[tuple[int, int]]:
    """The `months` calendar months ending with the month of `end`, oldest first."""
    index = end.year * 12 + end.month - 1
    return [divmod(i, 12) for i in range(index - months + 1, index + 1)]


def monthly(
    moments: Iterable[dt.datetime],
    findings: Iterable[FindingFact],
    end: dt.date,
    months: int = 12,
    zone: str | None = None,
) -> list[MonthBucket]:
    """Per month (local time): securing moments, and findings by the custodian and by others."""
    keys = [(year, month + 1) for year, month in month_range(end, months)]
    counts = {key: [0, 0, 0] for key in keys}
    for moment in moments:
        day = local_date(moment, zone)
        if (day.year, day.month) in counts:
            counts[(day.year, day.month)][0] += 1
    for fact in findings:
        if fact.at is None:
            continue
        day = local_date(fact.at, zone)
        if (day.year, day.month) in counts:
            counts[(day.year, day.month)][1 if fact.by_custodian else 2] += 1
    return [MonthBucket(year, month, *counts[(year, month)]) for year, month in keys]


def table_rows(buckets: list[MonthBucket], lang: str = "nl") -> list[dict[str, object]]:
    """The chart's numbers as rows for the table that goes with it."""
    return [
        {
            "month": b.label(lang),
            "secured": b.secured,
            "by_custodian": b.by_custodian,
            "by_others": b.by_others,
            "findings": b.findings,
        }
        for b in buckets
    ]


def _ticks(top: int) -> list[int]:
    step = next(s for s in (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000) if top / s <= 5) if top > 5 else 1
    if top > 25000:
        step = -(-top // 5)
    return list(range(0, top + step, step))


def render_svg(buckets: list[MonthBucket], *, lang: str = "nl", ident: str = "chart", width: int = 720) -> str:
    """An accessible SVG bar chart: per month a bar for securing moments and a stacked bar for findings."""
    words = WORDS[_lang(lang)]
    height, left, right, top_margin, bottom = 280, 44, 12, 40, 44
    plot_w, plot_h = width - left - right, height - top_margin - bottom
    ticks = _ticks(max([1, *(max(b.secured, b.findings) for b in buckets)]))
    scale = plot_h / ticks[-1]
    totals = {k: sum(getattr(b, k) for b in buckets) for k in ("secured", "by_custodian", "by_others")}
    desc = words["desc"].format(
        months=len(buckets),
        first=buckets[0].label(lang) if buckets else "",
        last=buckets[-1].label(lang) if buckets else "",
        **totals,
    )
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'role="img" aria-labelledby="{escape(ident)}-title {escape(ident)}-desc" font-family="sans-serif" font-size="12">',
        f'<title id="{escape(ident)}-title">{escape(words["title"])}</title>',
        f'<desc id="{escape(ident)}-desc">{escape(desc)}</desc>',
        *_legend(words, left),
    ]
    base = top_margin + plot_h
    for tick in ticks:
        y = base - tick * scale
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="{COLOURS["grid"]}"/>')
        parts.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" fill="{COLOURS["text"]}">{tick}</text>')
    slot = plot_w / max(1, len(buckets))
    for index, bucket in enumerate(buckets):
        parts += _month(bucket, index == 0, left + index * slot, slot, base, scale, words, lang)
    parts.append(f'<line x1="{left}" y1="{base}" x2="{width - right}" y2="{base}" stroke="{COLOURS["text"]}"/>')
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def _month(
    bucket: MonthBucket,
    first: bool,
    x0: float,
    slot: float,
    base: float,
    scale: float,
    words: dict[str, str],
    lang: str,
) -> list[str]:
    """One month: the securing bar, the stacked findings bar, and the month (and year) below."""
    bar, x = slot * 0.34, x0 + slot * 0.14
    label = escape(bucket.label(lang))
    custodian_h = bucket.by_custodian * scale
    parts = [
        _bar(x, base, bucket.secured * scale, bar, "secured", f"{label}: {bucket.secured} {words['secured']}"),
        _bar(
            x + bar, base, custodian_h, bar, "by_custodian", f"{label}: {bucket.by_custodian} {words['by_custodian']}"
        ),
        _bar(
            x + bar,
            base - custodian_h,
            bucket.by_others * scale,
            bar,
            "by_others",
            f"{label}: {bucket.by_others} {words['by_others']}",
        ),
    ]
    centre, fill = x0 + slot / 2, COLOURS["text"]
    month = escape(MONTHS_SHORT[_lang(lang)][bucket.month - 1])
    parts.append(f'<text x="{centre:.1f}" y="{base + 16}" text-anchor="middle" fill="{fill}">{month}</text>')
    if bucket.month == 1 or first:
        parts.append(f'<text x="{centre:.1f}" y="{base + 32}" text-anchor="middle" fill="{fill}">{bucket.year}</text>')
    return parts


def _bar(x: float, base: float, bar_height: float, width: float, series: str, title: str) -> str:
    y = base - bar_height
    return (
        f'<rect x="{x:.1f}" y="{y:.1f}" width="{width:.1f}" height="{bar_height:.1f}" fill="{COLOURS[series]}" '
        f'class="chart-{series}"><title>{title}</title></rect>'
    )


def _legend(words: dict[str, str], left: int) -> list[str]:
    parts, x = [], left
    for series in ("secured", "by_custodian", "by_others"):
        parts.append(f'<rect x="{x}" y="12" width="12" height="12" fill="{COLOURS[series]}"/>')
        parts.append(f'<text x="{x + 16}" y="22" fill="{COLOURS["text"]}">{escape(words[series])}</text>')
        x += 28 + round(6.4 * len(words[series]))
    return parts
