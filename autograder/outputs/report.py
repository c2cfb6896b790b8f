"""The instructor's view of a graded class: ``OUT/totals.csv`` and ``OUT/report.html``.

* ``totals.csv``: one line per student, one column per assignment (points) and the total; the
  header is ``student_id,<assignment>...,total``, which LMS gradebooks import as columns.
* ``report.html``: a self-contained page (plots embedded as base64 PNG; no script, a
  Content-Security-Policy that allows none; it fits a phone's width): the score distribution of
  each lesson and the mean score of each exercise over the students who submitted it, the most
  frequent diagnosed mistakes (counted from the judge's verdicts that the grade rows carry,
  :mod:`autograder.outputs.diagnosis`; not-implemented answers apart), the submissions flagged for review,
  the ones that could not be graded normally, and near-identical answers and copies of
  ``ann_lib`` side by side (:mod:`autograder.outputs.similarity`; review hints, never a score change).
"""

from __future__ import annotations

import base64
import html
import io
import textwrap
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from autograder.outputs import similarity
from autograder.settings import REPO

if TYPE_CHECKING:
    from autograder.outputs.grades import Row


def totals(rows: Iterable[Row]) -> tuple[list[str], dict[str, defaultdict[str, float]]]:
    """``(assignments, {student: {assignment: points}})``."""
    assignments = sorted({r.assignment for r in rows if r.notebook})
    table: defaultdict[str, defaultdict[str, float]] = defaultdict(lambda: defaultdict(float))
    for r in rows:
        table[r.student_id][r.assignment] += r.score
    return assignments, table


def write_totals(rows: Iterable[Row], out: str | Path) -> Path:
    """``OUT/totals.csv`` (cells through :func:`autograder.outputs.csvfile.cell`)."""
    from autograder.outputs.csvfile import write_csv

    assignments, table = totals(rows)
    body = []
    for student in sorted(table):
        scores = [table[student].get(a, 0.0) for a in assignments]
        body.append([student, *scores, sum(scores)])
    return write_csv(Path(out) / "totals.csv", ["student_id", *assignments, "total"], body)


#: The most rows of a mistakes table; the rest is counted ("and N more").
MAX_ROWS = 25
#: A message longer than this is shortened at a word boundary.
MAX_MESSAGE = 240


@dataclass
class Diagnosed:
    """What the judge's verdicts say of a class, counted in students (not rows).

    ``mistakes``: ``{(assignment, check, mistake key): students}`` of catalogued mistakes, with
    ``messages`` the catalogue's message of each key; ``not_implemented``: ``{(assignment,
    check): students}``; ``other``: ``{(assignment, check, kind): students}`` of the remaining
    failures (wrong without a catalogued match, raised, unstable, not a function, not checked).
    """

    mistakes: Counter = field(default_factory=Counter)
    messages: dict = field(default_factory=dict)
    not_implemented: Counter = field(default_factory=Counter)
    other: Counter = field(default_factory=Counter)


#: How the report names a kind of failure without a catalogued mistake.
KIND_TEXT = {"wrong": "wrong, no catalogued mistake matches", "raised": "raised an exception",
             "unstable": "numerically unstable", "not_a_function": "missing or not a function",
             "error": "could not be checked (timeout, a broken answer)",
             "mistake": "a catalogued mistake"}


def diagnosed_mistakes(rows: Iterable[Row]) -> Diagnosed:
    """:class:`Diagnosed`: the grade rows' diagnoses (the judge's verdicts), per student."""
    seen: dict[tuple[str, ...], Any] = {}
    for r in rows:
        for d in r.diagnoses:
            seen.setdefault((r.assignment, d.check, d.kind, d.mistake), set()).add(r.student_id)
            if d.mistake and d.message:
                seen.setdefault(("message", d.mistake), d.message)
    found = Diagnosed()
    for key, students in seen.items():
        if key[0] == "message":
            found.messages[key[1]] = students
            continue
        assignment, check, kind, mistake = key
        if mistake:
            found.mistakes[(assignment, check, mistake)] += len(students)
        elif kind == "not_implemented":
            found.not_implemented[(assignment, check)] += len(students)
        else:
            found.other[(assignment, check, kind)] += len(students)
    return found


def shorten(text: object, width: int = MAX_MESSAGE) -> str:
    """``text`` on one line, at most ``width`` characters, never cut inside a word."""
    return textwrap.shorten(" ".join(str(text).split()), width=width, placeholder=" \u2026")


class Html(str):
    """A table cell that is already HTML (its parts escaped), not text to escape."""


def table(header: Sequence[str], body: Iterable[Sequence[Any]]) -> str:
    """An HTML table; each cell escaped (unless :class:`Html`) and labelled with its column, which
    a phone shows in front of it (the rows become cards: see :data:`STYLE`)."""
    e = html.escape
    parts = ["<table><tr class='head'>" + "".join(f"<th>{e(h)}</th>" for h in header) + "</tr>"]
    for cells in body:
        parts.append("<tr>" + "".join(
            f"<td data-label='{e(h)}'>{c if isinstance(c, Html) else e(str(c))}</td>"
            for h, c in zip(header, cells)) + "</tr>")
    parts.append("</table>")
    return "".join(parts)


def _table(header, body, more_text):
    """:func:`table` of the first :data:`MAX_ROWS` of ``body``, then "and N more"."""
    parts = [table(header, body[:MAX_ROWS])]
    if len(body) > MAX_ROWS:
        rest = body[MAX_ROWS:]
        parts.append(f"<p class='more'>and {len(rest)} more {more_text} "
                     f"({sum(int(c[0]) for c in rest)} student answers in all).</p>")
    return parts


def _by_count(counts):
    """``counts``' items, most students first (then by key: a stable order)."""
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))


def mistakes_section(rows: Iterable[Row]) -> list[str]:
    """The report's "Most frequent diagnosed mistakes" section, from the judge's verdicts."""
    d = diagnosed_mistakes(rows)
    parts = ["<h2>Most frequent diagnosed mistakes</h2>",
             "<p>Counted from the grader's own verdicts: each row is one catalogued mistake the "
             "judge recognised in the students' answers (students, not test cells).</p>"]
    sections = [
        ("", ("students", "assignment", "check", "mistake"), "diagnosed mistakes",
         [(n, a, c, shorten(d.messages.get(k, k))) for (a, c, k), n in _by_count(d.mistakes)]),
        ("Other failing checks (no catalogued mistake)",
         ("students", "assignment", "check", "what failed"), "failing checks",
         [(n, a, c, KIND_TEXT.get(k, k)) for (a, c, k), n in _by_count(d.other)]),
        ("Not implemented yet", ("students", "assignment", "check"), "checks not implemented",
         [(n, a, c) for (a, c), n in _by_count(d.not_implemented)]),
    ]
    for title, header, more, body in sections:
        parts += [f"<h3>{title}</h3>"] if title else []
        parts += _table(header, body, more) if body else ["<p>None.</p>"]
    return parts


def _png(fig):
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=90, bbox_inches="tight")
    import matplotlib.pyplot as plt

    plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()


def lesson_scores(
    rows: Iterable[Row], assignment: str,
) -> tuple[dict[str, float], dict[str, list[tuple[float, float]]], list[str]]:
    """``(per student total, per exercise (score, max) list, students not graded)`` of a lesson.

    Means and the distribution are over the students whose submission of the lesson was graded;
    the others (not submitted, unreadable, ...) are counted apart.
    """
    mine = [r for r in rows if r.assignment == assignment and r.notebook]
    graded = {r.student_id for r in mine if r.graded}
    per_student: defaultdict[str, float] = defaultdict(float)
    per_exercise: defaultdict[str, list[tuple[float, float]]] = defaultdict(list)
    for r in mine:
        if r.student_id in graded and r.graded:
            per_student[r.student_id] += r.score
            per_exercise[r.exercise].append((r.score, r.max_score))
    for r in rows:  # a late penalty counts in the student's total
        if r.assignment == assignment and not r.notebook and r.student_id in graded:
            per_student[r.student_id] += r.score
    return per_student, per_exercise, sorted({r.student_id for r in mine} - graded)


def _plots(rows, assignment):
    """Two pictures (data URLs): the distribution of totals, the mean score of each exercise."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    per_student, per_exercise, _ = lesson_scores(rows, assignment)
    top = sum(max((m for _, m in v), default=0) for v in per_exercise.values()) or 1.0
    low = min([0.0, *per_student.values()])  # a late penalty may take a total below 0
    fig, ax = plt.subplots(figsize=(5.2, 3.4), layout="constrained")
    ax.hist(list(per_student.values()), bins=min(20, max(5, int(top - low) + 1)),
            range=(low, top), color="#4c72b0", edgecolor="white")
    ax.set(title=f"{assignment}: total per student", xlabel="points", ylabel="students")
    ax.yaxis.get_major_locator().set_params(integer=True)
    hist = _png(fig)
    fig, ax = plt.subplots(figsize=(5.2, 0.9 + 0.32 * max(6, len(per_exercise))),
                           layout="constrained")
    names = list(per_exercise)
    means = [sum(s for s, _ in v) / max(1e-9, sum(m for _, m in v)) * 100
             for v in per_exercise.values()]
    ax.barh(names, means, color="#55a868")
    ax.set(title="mean score per exercise", xlabel="% of points", xlim=(0, 100))
    ax.invert_yaxis()
    return hist, _png(fig)


#: No script at all, nothing loaded from anywhere: pictures are inline data, styles inline.
CSP = ("default-src 'none'; img-src data:; style-src 'unsafe-inline'; base-uri 'none'; "
       "form-action 'none'; frame-ancestors 'none'")

STYLE = """
*{box-sizing:border-box}
body{font-family:system-ui,sans-serif;max-width:1100px;margin:auto;padding:0 12px;line-height:1.4}
table{border-collapse:collapse;width:100%;margin:.5em 0}
td,th{border:1px solid #ccc;padding:3px 8px;text-align:left;vertical-align:top;
      overflow-wrap:break-word}
td:last-child,td pre{overflow-wrap:anywhere}
@media (max-width:700px){
  table,tbody,tr,td{display:block;width:100%}
  tr.head,tr:first-child:has(th){display:none}
  tr{border:1px solid #ccc;margin:.6em 0}
  td{border:none;border-top:1px solid #eee;overflow-wrap:anywhere}
  td[data-label]::before{content:attr(data-label) ": ";font-weight:600}
}
pre{white-space:pre-wrap;overflow-wrap:anywhere;margin:.3em 0;font-size:.85em}
img{max-width:100%;height:auto}
.plots{display:flex;flex-wrap:wrap;gap:8px}
.plots img{flex:1 1 340px;min-width:0;max-width:540px;object-fit:contain}
.more,.note{color:#555}
.warning{color:#b00}
"""


def write_report(rows: list[Row], out: str | Path, warning: str = "", submitted: str | Path | None = None,
                 root: Path = REPO, seconds: dict[str, float] | None = None) -> Path:
    """Write ``OUT/report.html``; with ``submitted``, also the similar answers found there
    (the seconds that took in ``seconds["similarity"]``, when a dict is given).

    Every text from a submission or the rows is escaped; the page runs no script (its
    Content-Security-Policy allows none) and fits a phone's width as well as a desktop's.
    """
    out = Path(out)
    assignments, class_totals = totals(rows)
    e = html.escape
    parts = ["<!doctype html><html lang='en'><head><meta charset='utf-8'>"
             "<meta name='viewport' content='width=device-width, initial-scale=1'>"
             f"<meta http-equiv='Content-Security-Policy' content=\"{CSP}\">"
             "<title>ann-course: class report</title>"
             f"<style>{STYLE}</style></head><body>",
             "<h1>Class report</h1>",
             *([f"<p class='warning'><strong>This class was {e(warning)}.</strong></p>"]
               if warning else []),
             f"<p>{len(class_totals)} students, {len(assignments)} assignments. Totals per student: "
             "<code>totals.csv</code>; every test cell: <code>grades.csv</code>.</p>"]
    parts.append("<h2>Scores</h2>")
    for a in assignments:
        per_student, _, absent = lesson_scores(rows, a)
        parts.append(f"<h3>{e(a)}</h3><p class='note'>{len(per_student)} student(s) graded; "
                     "means and the distribution are over them"
                     + (f"; {len(absent)} not submitted or not graded, counted apart: "
                        f"{e(', '.join(absent))}" if absent else "") + ".</p>")
        try:
            hist, bars = _plots(rows, a)
            parts.append(f"<div class='plots'><img alt='total points per student in {e(a)}' "
                         f"src='{hist}'><img alt='mean score per exercise of {e(a)}' "
                         f"src='{bars}'></div>")
        except Exception as exc:  # noqa: BLE001 - no plot is better than no report
            parts.append(f"<p>(no plot: {e(str(exc))})</p>")
    parts += mistakes_section(rows)
    parts.append("<h2>Flagged for review</h2>")
    flagged = sorted({(r.student_id, r.assignment, r.notebook, r.flags) for r in rows if r.flags})
    if flagged:
        parts.append(table(("student", "assignment", "notebook", "why"), [
            (s, a, nb, Html("<br>".join(e(f) for f in flags.split("; "))))
            for s, a, nb, flags in flagged]))
    else:
        parts.append("<p>None.</p>")
    parts.append("<h2>Not graded normally</h2>")
    problems = Counter((r.student_id, r.assignment, r.status) for r in rows if r.status != "ok")
    if problems:
        parts.append(table(("student", "assignment", "status", "rows"),
                           [(s, a, st, n) for (s, a, st), n in sorted(problems.items())]))
    else:
        parts.append("<p>None.</p>")
    if submitted is not None:
        start = time.perf_counter()
        try:
            parts += similarity.html_section(submitted, root)
        except Exception as exc:  # noqa: BLE001 - the hints are extra: the rest of the report stays
            parts.append(f"<h2>Similar answers</h2><p>(not computed: {e(repr(exc))})</p>")
        if seconds is not None:
            seconds["similarity"] = time.perf_counter() - start
    parts.append("</body></html>")
    path = out / "report.html"
    path.write_text("\n".join(parts))
    return path


def write_reports(rows: list[Row], out: str | Path, warning: str = "", submitted: str | Path | None = None,
                  root: Path = REPO) -> tuple[Path, Path]:
    return write_totals(rows, out), write_report(rows, out, warning, submitted, root)
