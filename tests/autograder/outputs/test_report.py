"""outputs/report.py: totals, the counts of the judge's verdicts and the class report page.

No kernel, no grading run: typed rows (:class:`~autograder.outputs.grades.Row` with their
:class:`~autograder.outputs.diagnosis.Diagnosis` records) built by hand, the page read as text.
"""

from __future__ import annotations

import csv
import re

from autograder.outputs.diagnosis import Diagnosis
from autograder.outputs.grades import Row
from autograder.outputs.report import (
    Html,
    diagnosed_mistakes,
    lesson_scores,
    table,
    totals,
    write_report,
    write_totals,
)

L1, L2 = "01_neuron", "02_standardizing"
PENALTY = "late_submission_penalty"


def _rows():
    wrong = Diagnosis("weighted_sum", "mistake", "forgot_bias", "adds no bias")
    return [
        Row("ann", L1, "01.ipynb", "test_a", 2.0, 2.0),
        Row("ann", L1, "01.ipynb", "test_b", 0.0, 1.0, diagnoses=(wrong,)),
        Row("ann", L1, "01.ipynb", "test_c", 0.0, 1.0, diagnoses=(wrong,)),  # same mistake, 2nd cell
        Row("ann", L1, "", PENALTY, -0.5, 0.0),  # a late penalty: no notebook
        Row("bob", L1, "01.ipynb", "test_a", 1.0, 2.0, diagnoses=(wrong,)),
        Row("bob", L1, "01.ipynb", "test_b", 0.0, 1.0,
            diagnoses=(Diagnosis("step", "not_implemented"),)),
        Row("bob", L1, "01.ipynb", "test_c", 0.0, 1.0, diagnoses=(Diagnosis("and_gate", "raised"),)),
        Row("cy", L1, "01.ipynb", "test_a", 0.0, 2.0, "not submitted", graded=False),
        Row("cy", L2, "02.ipynb", "test_x", 3.0, 3.0),
    ]


def test_totals_add_every_row_of_a_student_penalties_included():
    assignments, table_ = totals(_rows())
    assert assignments == [L1, L2]
    assert table_["ann"][L1] == 1.5 and table_["bob"][L1] == 1.0
    assert table_["cy"] == {L1: 0.0, L2: 3.0}


def test_totals_csv_has_a_column_per_assignment_and_the_sum(tmp_path):
    path = write_totals(_rows(), tmp_path)
    assert list(csv.reader(path.open(newline=""))) == [
        ["student_id", L1, L2, "total"], ["ann", "1.5", "0", "1.5"], ["bob", "1", "0", "1"],
        ["cy", "0", "3", "3"]]


def test_verdicts_are_counted_in_students_not_test_cells():
    found = diagnosed_mistakes(_rows())
    assert found.mistakes == {(L1, "weighted_sum", "forgot_bias"): 2}  # ann twice, bob once
    assert found.messages == {"forgot_bias": "adds no bias"}
    assert found.not_implemented == {(L1, "step"): 1}
    assert found.other == {(L1, "and_gate", "raised"): 1}


def test_a_lessons_scores_leave_the_students_not_graded_apart():
    per_student, per_exercise, absent = lesson_scores(_rows(), L1)
    assert per_student == {"ann": 1.5, "bob": 1.0}
    assert absent == ["cy"]
    assert per_exercise["test_a"] == [(2.0, 2.0), (1.0, 2.0)]


def test_a_table_escapes_text_labels_every_cell_and_keeps_html_cells():
    page = table(("student", "why"), [("<b>x</b>", Html("a<br>b"))])
    assert "<td data-label='student'>&lt;b&gt;x&lt;/b&gt;</td>" in page
    assert "<td data-label='why'>a<br>b</td>" in page


def test_the_report_escapes_what_students_wrote_and_runs_no_script(tmp_path):
    hostile = "<script>alert(1)</script>"
    rows = [*_rows(), Row(hostile, L1, "01.ipynb", "test_a", 0.0, 2.0, flags=f"cell 1: {hostile}")]
    page = write_report(rows, tmp_path, warning="graded WITHOUT a sandbox").read_text()
    assert "<script" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    csp = re.search(r"Content-Security-Policy' content=\"([^\"]+)\"", page).group(1)
    assert "default-src 'none'" in csp and "script-src" not in csp
    assert "This class was graded WITHOUT a sandbox." in page
    assert "4 students, 2 assignments" in page
    assert "1 not submitted or not graded, counted apart: cy" in page
