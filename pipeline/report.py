"""Report: one self-contained HTML file (inline SVG figures, no network) from the tables.

Corpus overview, think tank x cause heatmap (asserted and rejected), approaches attributed
to each side and recommended, actor and proposal profiles; every cell leads to its evidence
sentences. `render_report` is pure (tables in, HTML out); `write_report` writes it.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from pathlib import Path

import pandas as pd

CELL = 34
LEFT = 210
TOP = 120


def _esc(value: object) -> str:
    missing = value is None or (pd.api.types.is_scalar(value) and pd.isna(value))
    return html.escape("" if missing else str(value))


def _sequential(share: float) -> str:
    """White to dark blue for a share in [0, 1]."""
    share = max(0.0, min(1.0, share))
    r, g, b = (int(255 - share * (255 - c)) for c in (33, 102, 172))
    return f"rgb({r},{g},{b})"


def _diverging(value: float) -> str:
    """Red (-1, small deal) through white (0) to blue (+1, big deal)."""
    value = max(-1.0, min(1.0, value))
    target = (33, 102, 172) if value >= 0 else (178, 24, 43)
    r, g, b = (int(255 - abs(value) * (255 - c)) for c in target)
    return f"rgb({r},{g},{b})"


def heatmap_svg(values: pd.DataFrame, title: str, x_label: str, y_label: str,
                color: Callable[[float], str], legend: list[tuple[float, str]],
                marks: pd.DataFrame | None = None, link: Callable[[str, str], str] | None = None,
                fmt: str = "{:.0%}") -> str:
    """A labelled heatmap: rows x columns of `values` (NaN = empty cell), a legend, and
    an optional mark (e.g. 'R' for rejected) and link per cell."""
    rows, cols = list(values.index), list(values.columns)
    width = LEFT + CELL * max(len(cols), 1) + 170
    height = TOP + CELL * max(len(rows), 1) + 60
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" '
           f'height="{height}" viewBox="0 0 {width} {height}" class="figure">',
           f"<title>{_esc(title)}</title>",
           f'<text x="{width / 2}" y="18" text-anchor="middle" class="fig-title">'
           f"{_esc(title)}</text>",
           f'<text x="{LEFT + CELL * len(cols) / 2}" y="{height - 12}" text-anchor="middle" '
           f'class="axis-label">{_esc(x_label)}</text>',
           f'<text x="14" y="{TOP + CELL * len(rows) / 2}" text-anchor="middle" '
           f'transform="rotate(-90 14 {TOP + CELL * len(rows) / 2})" class="axis-label">'
           f"{_esc(y_label)}</text>"]
    for j, col in enumerate(cols):
        x = LEFT + CELL * j + CELL / 2
        out.append(f'<text x="{x}" y="{TOP - 6}" transform="rotate(-45 {x} {TOP - 6})" '
                   f'class="tick">{_esc(col)}</text>')
    for i, row in enumerate(rows):
        y = TOP + CELL * i
        out.append(f'<text x="{LEFT - 6}" y="{y + CELL / 2 + 4}" text-anchor="end" '
                   f'class="tick">{_esc(row)}</text>')
        for j, col in enumerate(cols):
            value = values.at[row, col]
            x = LEFT + CELL * j
            fill = "#f4f4f4" if pd.isna(value) else color(float(value))
            rect = (f'<rect x="{x}" y="{y}" width="{CELL - 2}" height="{CELL - 2}" '
                    f'fill="{fill}" stroke="#ccc"><title>{_esc(row)} / {_esc(col)}: '
                    f'{"none" if pd.isna(value) else fmt.format(value)}</title></rect>')
            mark = "" if marks is None else marks.at[row, col] if (
                row in marks.index and col in marks.columns) else ""
            label = "" if pd.isna(value) else fmt.format(value)
            text = (f'<text x="{x + CELL / 2 - 1}" y="{y + CELL / 2 + 4}" text-anchor="middle" '
                    f'class="cell">{_esc(label)}{_esc(mark or "")}</text>')
            target = link(row, col) if link is not None and not pd.isna(value) else None
            out.append(f'<a href="#{target}">{rect}{text}</a>' if target else rect + text)
    lx = LEFT + CELL * len(cols) + 20
    out.append(f'<text x="{lx}" y="{TOP - 10}" class="tick">Legend</text>')
    for k, (value, label) in enumerate(legend):
        y = TOP + 22 * k
        out.append(f'<rect x="{lx}" y="{y}" width="16" height="16" fill="{color(value)}" '
                   f'stroke="#ccc"/><text x="{lx + 22}" y="{y + 12}" class="tick">'
                   f"{_esc(label)}</text>")
    out.append("</svg>")
    return "\n".join(out)


def bar_svg(counts: pd.Series, title: str, x_label: str, y_label: str) -> str:
    """Horizontal bars (e.g. documents per think tank)."""
    rows = list(counts.index)
    top = max(float(counts.max()) if len(counts) else 1.0, 1.0)
    width, bar_w = 640, 360
    height = 50 + 26 * max(len(rows), 1) + 40
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" '
           f'height="{height}" viewBox="0 0 {width} {height}" class="figure">',
           f"<title>{_esc(title)}</title>",
           f'<text x="{width / 2}" y="18" text-anchor="middle" class="fig-title">'
           f"{_esc(title)}</text>",
           f'<text x="{LEFT + bar_w / 2}" y="{height - 8}" text-anchor="middle" '
           f'class="axis-label">{_esc(x_label)}</text>',
           f'<text x="12" y="{height / 2}" text-anchor="middle" class="axis-label" '
           f'transform="rotate(-90 12 {height / 2})">{_esc(y_label)}</text>']
    for i, row in enumerate(rows):
        y = 40 + 26 * i
        w = bar_w * float(counts[row]) / top
        out.append(f'<text x="{LEFT - 6}" y="{y + 14}" text-anchor="end" class="tick">'
                   f'{_esc(row)}</text><rect x="{LEFT}" y="{y}" width="{w:.1f}" height="18" '
                   f'fill="rgb(33,102,172)"/><text x="{LEFT + w + 4}" y="{y + 14}" '
                   f'class="tick">{_esc(counts[row])}</text>')
    out.append(f'<rect x="{LEFT + bar_w - 120}" y="{height - 34}" width="12" height="12" '
               f'fill="rgb(33,102,172)"/><text x="{LEFT + bar_w - 104}" y="{height - 24}" '
               f'class="tick">{_esc(x_label)} (legend)</text>')
    out.append("</svg>")
    return "\n".join(out)


def _anchor(*parts: str) -> str:
    return "ev-" + "-".join("".join(c if c.isalnum() else "_" for c in str(p)) for p in parts)


def _evidence_list(anchor: str, heading: str, rows: pd.DataFrame) -> str:
    items = "".join(
        f"<li><span class='src'>{_esc(r.doc_id)} · sentence {_esc(r.sent_idx)} · "
        f"{_esc(r.section) or 'no section'} · page {_esc(r.page) or '–'} · "
        f"{_esc(r.assessment)} · {_esc(r.method)} {_esc(r.confidence)}</span><br>"
        f"{_esc(r.text)}</li>"
        for r in rows.itertuples())
    return (f'<details id="{anchor}"><summary>{_esc(heading)} ({len(rows)} sentence'
            f'{"s" if len(rows) != 1 else ""})</summary><ol>{items}</ol></details>')


def _tank(frame: pd.DataFrame, documents: pd.DataFrame) -> pd.Series:
    tanks = documents.set_index("doc_id")["think_tank"].astype(object)
    return frame["doc_id"].map(tanks).fillna("unknown")


CSS = """
body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;color:#222}
h1{font-size:1.6em} h2{border-bottom:1px solid #ddd;padding-bottom:.2em;margin-top:2em}
table{border-collapse:collapse;font-size:.9em} td,th{border:1px solid #ddd;padding:3px 6px}
.figure{display:block;margin:1em 0} .fig-title{font-weight:600;font-size:14px}
.axis-label{font-size:12px;fill:#444} .tick{font-size:11px} .cell{font-size:10px}
details{margin:.3em 0} summary{cursor:pointer} .src{color:#666;font-size:.85em}
"""


def render_report(tables: dict[str, pd.DataFrame]) -> str:
    """The whole report as one HTML string (tables as from `load_tables`)."""
    docs = tables["documents"]
    sentences = tables["sentences"]
    codes = tables["codes"]
    comparison = tables["comparison"]
    parts = ["<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
             "<title>summit-briefs report</title>", f"<style>{CSS}</style></head><body>",
             "<h1>How think tanks explain the failed Hanoi summit</h1>",
             "<p>Generated by summit-briefs from the tables in data/processed/. Every "
             "coloured cell links to the sentences it was coded from.</p>"]

    # corpus overview
    ok = docs[docs["status"] == "ok"]
    per_tank = ok["think_tank"].astype(object).fillna("unknown").value_counts().sort_index()
    parts += ["<h2 id='corpus'>Corpus</h2>",
              f"<p>{len(docs)} files: {len(ok)} read, "
              f"{int((docs['status'] != 'ok').sum())} failed; "
              f"{int(ok['n_pages'].fillna(0).sum())} PDF pages, "
              f"{int(ok['n_words'].sum())} words.</p>",
              bar_svg(per_tank, "Documents per think tank", "documents", "think tank"),
              "<table><tr><th>document</th><th>think tank</th><th>date</th><th>pages</th>"
              "<th>words</th><th>status</th></tr>"]
    for r in docs.itertuples():
        parts.append(f"<tr><td>{_esc(r.doc_id)}</td><td>{_esc(r.think_tank)}</td>"
                     f"<td>{_esc(r.date.date() if not pd.isna(r.date) else '')}</td>"
                     f"<td>{_esc(r.n_pages)}</td><td>{_esc(r.n_words)}</td>"
                     f"<td>{_esc(r.status)}</td></tr>")
    parts.append("</table>")
    failed = docs[docs["status"] != "ok"]
    if len(failed):
        parts.append("<h3>Files that could not be used</h3><ul>" + "".join(
            f"<li>[{_esc(r.status)}] {_esc(r.error)}</li>" for r in failed.itertuples())
            + "</ul>")

    evidence = codes.merge(sentences[["doc_id", "sent_idx", "section", "page", "text"]],
                           on=["doc_id", "sent_idx"], how="left")
    evidence = evidence.assign(think_tank=_tank(evidence, docs))
    details: list[str] = []

    def cell_link(variable: str, holder: str | None) -> Callable[[str, str], str]:
        def link(row: str, col: str) -> str:
            tank, value = (row, col)
            mask = (evidence["think_tank"] == tank) & (evidence["variable"] == variable) & (
                evidence["value"] == value)
            if holder is not None:
                mask &= evidence["holder"].astype(object) == holder
            anchor = _anchor(variable, holder or "", tank, value)
            details.append(_evidence_list(anchor, f"{tank}: {variable} {holder or ''} "
                                          f"{value}", evidence[mask]))
            return anchor
        return link

    # causes
    causes = comparison[comparison["variable"] == "cause"]
    asserted = causes[causes["assessment"] == "asserted"].pivot_table(
        index="think_tank", columns="value", values="share_docs", aggfunc="first",
        observed=True)
    rejected = causes[causes["assessment"] == "rejected"].pivot_table(
        index="think_tank", columns="value", values="share_docs", aggfunc="first",
        observed=True)
    grid = asserted.reindex(index=sorted(set(asserted.index) | set(rejected.index)),
                            columns=sorted(set(asserted.columns) | set(rejected.columns)))
    marks = pd.DataFrame("", index=grid.index, columns=grid.columns)
    for tank in rejected.index:
        for value in rejected.columns:
            if not pd.isna(rejected.at[tank, value]):
                marks.at[tank, value] = " R"
                if pd.isna(grid.at[tank, value]):
                    grid.at[tank, value] = 0.0
    parts += ["<h2 id='causes'>Why Hanoi failed: causes by think tank</h2>",
              "<p>Colour: share of the think tank's documents asserting the cause. "
              "<b>R</b>: some of its documents mention the cause only to reject it.</p>",
              heatmap_svg(grid, "Causes asserted (share of documents); R = rejected",
                          "cause", "think tank", _sequential,
                          [(0.0, "0% asserted"), (0.5, "50%"), (1.0, "100% asserted")],
                          marks=marks, link=cell_link("cause", None))]

    # approaches
    index = tables.get("approach_index")
    if index is not None and len(index):
        grid = index.pivot_table(index="think_tank", columns="holder", values="index",
                                 aggfunc="first", observed=True)
        parts += ["<h2 id='approaches'>Approaches attributed and recommended</h2>",
                  "<p>Approach index per think tank and side: +1 = big deal (package), "
                  "-1 = small deal (step by step); column <code>author</code> is what the "
                  "think tank itself recommends. Hybrid counts are in approach_index.</p>",
                  heatmap_svg(grid, "Approach index by side (+1 big deal, -1 small deal)",
                              "side (holder)", "think tank", _diverging,
                              [(-1.0, "-1 small deal"), (0.0, "0 balanced"),
                               (1.0, "+1 big deal")], fmt="{:+.2f}")]
        approach = comparison[(comparison["variable"] == "approach")
                              & (comparison["assessment"] == "asserted")]
        for holder in sorted(approach["holder"].dropna().astype(str).unique()):
            sub = approach[approach["holder"].astype(object) == holder]
            grid = sub.pivot_table(index="think_tank", columns="value", values="share_docs",
                                   aggfunc="first", observed=True)
            parts.append(heatmap_svg(grid, f"Approach attributed to {holder} (share of "
                                     "documents)", "approach", "think tank", _sequential,
                                     [(0.0, "0%"), (1.0, "100% of documents")],
                                     link=cell_link("approach", holder)))

    # profiles
    for name, title in (("actor_profile", "Actors mentioned"),
                        ("proposal_profile", "Proposals and approaches mentioned")):
        profile = tables.get(name)
        if profile is None or not len(profile):
            continue
        grid = profile.pivot_table(index="think_tank", columns="entity_id",
                                   values="share_mentions", aggfunc="first", observed=True)
        parts += [f"<h2 id='{name}'>{title}</h2>",
                  heatmap_svg(grid, f"{title} (share of the think tank's mentions)",
                              "entity", "think tank", _sequential,
                              [(0.0, "0%"), (0.5, "50%"), (1.0, "100% of mentions")])]

    parts += ["<h2 id='evidence'>Evidence</h2>",
              "<p>The sentences behind each coloured cell.</p>", *details, "</body></html>"]
    return "\n".join(parts)


def write_report(folder: Path, out: Path) -> Path:
    """Render the report from the tables in `folder` and write it atomically to `out`."""
    from pipeline.io import write_text_atomic
    from pipeline.loader import load_tables

    tables = load_tables(folder, tables=["documents", "sentences", "codes", "comparison",
                                         "approach_index", "actor_profile",
                                         "proposal_profile"], check_fresh=False)
    write_text_atomic(out, render_report(tables))
    return out
