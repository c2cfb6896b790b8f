"""The instructor's view of a graded class: ``OUT/totals.csv`` and ``OUT/report.html``.

* ``totals.csv``: one line per student, one column per assignment (points) and the total; the
  header is ``student_id,<assignment>...,total``, which LMS gradebooks import as columns.
* ``report.html``: a self-contained page (plots embedded as base64 PNG): the score distribution
  of each lesson and the mean score of each exercise, the most frequent diagnosed mistakes (read
  from the failing test cells of the autograded notebooks), the submissions flagged for review,
  the ones that could not be graded normally, and near-identical answers and copies of
  ``ann_lib`` side by side (:mod:`autograder.similarity`; review hints, never a score change).
"""

from __future__ import annotations

import base64
import csv
import html
import io
import re
from collections import Counter, defaultdict
from pathlib import Path

from autograder import notebooks, similarity
from autograder.settings import REPO

_DIAGNOSIS = re.compile(r"` is not (?:right|stable) yet[:.]\s*(?P<why>.*?)\s*(?:For example,|$)", re.S)


def totals(rows):
    """``(assignments, {student: {assignment: points}})``."""
    assignments = sorted({r.assignment for r in rows if r.notebook})
    table = defaultdict(lambda: defaultdict(float))
    for r in rows:
        table[r.student_id][r.assignment] += r.score
    return assignments, table


def write_totals(rows, out):
    assignments, table = totals(rows)
    path = Path(out) / "totals.csv"
    with path.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["student_id", *assignments, "total"])
        for student in sorted(table):
            scores = [table[student].get(a, 0.0) for a in assignments]
            w.writerow([student, *[f"{s:g}" for s in scores], f"{sum(scores):g}"])
    return path


def diagnosed_mistakes(rows, out):
    """``Counter[(assignment, exercise, message)]`` from the autograded notebooks' test errors."""
    counts = Counter()
    graded = Path(out) / ".nbgrader" / "autograded"
    for student, assignment, name in sorted({(r.student_id, r.assignment, r.notebook)
                                             for r in rows if r.notebook}):
        path = graded / student / assignment / name
        if not path.exists():
            continue
        try:
            nb = notebooks.read(path)
        except Exception:  # noqa: BLE001 - an unreadable graded notebook has nothing to count
            continue
        for cell in nb.cells:
            if not notebooks.is_test(cell):
                continue
            for o in reversed(cell.get("outputs", [])):  # the last error is the grader's verdict
                if o.get("output_type") != "error":
                    continue
                gid = notebooks.nbgrader_meta(cell).get("grade_id", "?")
                value = str(o.get("evalue", ""))
                if o.get("ename") == "CheckFailed":
                    m = _DIAGNOSIS.search(value)
                    if m:
                        why = m.group("why").strip() or "wrong, no catalogued mistake matches"
                    else:
                        why = re.sub(r"[-+]?\d[\d.e+-]*", "#", value)[:160]
                else:
                    why = f"{o.get('ename')}: {value}"[:160]
                counts[(assignment, gid, why)] += 1
                break
    return counts


def _png(fig):
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=90, bbox_inches="tight")
    import matplotlib.pyplot as plt

    plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()


def _plots(rows, assignment):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    mine = [r for r in rows if r.assignment == assignment and r.notebook]
    per_student = defaultdict(float)
    max_total = defaultdict(float)
    per_exercise = defaultdict(list)
    for r in mine:
        per_student[r.student_id] += r.score
        max_total[r.student_id] += r.max_score
        per_exercise[r.exercise].append((r.score, r.max_score))
    top = max(max_total.values(), default=1.0) or 1.0
    fig, axes = plt.subplots(1, 2, figsize=(11, 0.9 + 0.32 * max(6, len(per_exercise))),
                             layout="constrained", width_ratios=(1, 1.3))
    axes[0].hist(list(per_student.values()), bins=min(20, max(5, int(top) + 1)),
                 range=(0, top), color="#4c72b0", edgecolor="white")
    axes[0].set(title=f"{assignment}: total per student", xlabel="points", ylabel="students")
    axes[0].yaxis.get_major_locator().set_params(integer=True)
    names = list(per_exercise)
    means = [sum(s for s, _ in v) / max(1e-9, sum(m for _, m in v)) * 100
             for v in per_exercise.values()]
    axes[1].barh(names, means, color="#55a868")
    axes[1].set(title="mean score per exercise", xlabel="% of points", xlim=(0, 100))
    axes[1].invert_yaxis()
    return _png(fig)


def write_report(rows, out, warning="", submitted=None, root=REPO):
    """Write ``OUT/report.html``; with ``submitted``, also the similar answers found there."""
    out = Path(out)
    assignments, table = totals(rows)
    e = html.escape
    parts = ["<!doctype html><html><head><meta charset='utf-8'><title>ann-course: class report"
             "</title><style>body{font-family:sans-serif;max-width:1100px;margin:auto}"
             "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:3px 8px;"
             "text-align:left;vertical-align:top}</style></head><body>",
             "<h1>Class report</h1>",
             *([f"<p style='color:#b00'><strong>This class was {html.escape(warning)}.</strong></p>"]
               if warning else []),
             f"<p>{len(table)} students, {len(assignments)} assignments. Totals per student: "
             "<code>totals.csv</code>; every test cell: <code>grades.csv</code>.</p>"]
    parts.append("<h2>Scores</h2>")
    for a in assignments:
        try:
            parts.append(f"<h3>{e(a)}</h3><img alt='scores of {e(a)}' src='{_plots(rows, a)}'>")
        except Exception as exc:  # noqa: BLE001 - no plot is better than no report
            parts.append(f"<h3>{e(a)}</h3><p>(no plot: {e(str(exc))})</p>")
    parts.append("<h2>Most frequent diagnosed mistakes</h2>")
    counts = diagnosed_mistakes(rows, out)
    if counts:
        parts.append("<table><tr><th>students</th><th>assignment</th><th>test</th>"
                     "<th>what the check said</th></tr>")
        for (a, gid, why), n in counts.most_common(30):
            parts.append(f"<tr><td>{n}</td><td>{e(a)}</td><td>{e(gid)}</td><td>{e(why)}</td></tr>")
        parts.append("</table>")
    else:
        parts.append("<p>None.</p>")
    parts.append("<h2>Flagged for review</h2>")
    flagged = sorted({(r.student_id, r.assignment, r.notebook, r.flags) for r in rows if r.flags})
    if flagged:
        parts.append("<table><tr><th>student</th><th>assignment</th><th>notebook</th>"
                     "<th>why</th></tr>")
        for s, a, nb, flags in flagged:
            reasons = "<br>".join(e(f) for f in flags.split("; "))
            parts.append(f"<tr><td>{e(s)}</td><td>{e(a)}</td><td>{e(nb)}</td><td>{reasons}</td></tr>")
        parts.append("</table>")
    else:
        parts.append("<p>None.</p>")
    parts.append("<h2>Not graded normally</h2>")
    problems = Counter((r.student_id, r.assignment, r.status) for r in rows if r.status != "ok")
    if problems:
        parts.append("<table><tr><th>student</th><th>assignment</th><th>status</th>"
                     "<th>rows</th></tr>")
        for (s, a, st), n in sorted(problems.items()):
            parts.append(f"<tr><td>{e(s)}</td><td>{e(a)}</td><td>{e(st)}</td><td>{n}</td></tr>")
        parts.append("</table>")
    else:
        parts.append("<p>None.</p>")
    if submitted is not None:
        try:
            parts += similarity.html_section(submitted, root)
        except Exception as exc:  # noqa: BLE001 - the hints are extra: the rest of the report stays
            parts.append(f"<h2>Similar answers</h2><p>(not computed: {e(repr(exc))})</p>")
    parts.append("</body></html>")
    path = out / "report.html"
    path.write_text("\n".join(parts))
    return path


def write_reports(rows, out, warning="", submitted=None, root=REPO):
    return write_totals(rows, out), write_report(rows, out, warning, submitted, root)
