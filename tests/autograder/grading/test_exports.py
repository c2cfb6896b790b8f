"""Every CSV from the gradebook: manual grades, ``ann-course export``, Canvas and Moodle, injection.

One small class of lesson 01 graded once by the real ``ann-course grade`` on real kernels into a
real nbgrader gradebook: the three sample students, ``=evil`` (a complete notebook under a
student id a spreadsheet would run as a formula) and ``dan_absent`` (no submission). A grade
and a comment are then given by hand through nbgrader's Gradebook API, as formgrader saves them
(the browser test, tests/browser/test_instructor_desk.py, gives them in formgrader itself).
"""

from __future__ import annotations

import contextlib
import csv
import io
import shutil

import pytest

from autograder.cli import main
from autograder.outputs import lms
from autograder.outputs.csvfile import cell
from autograder.release.sample_class import write_sample_class

L = "01_neuron"
NB = f"{L}.ipynb"
EVIL = "=evil"
COMMENT = "-1 for the loop; =SUM(A1) is not Python"

# Canvas's gradebook import layout (Canvas guides, "How do I import grades in the Gradebook?",
# and OSU's "Import a CSV file to Carmen grades"): these five identity columns, then one column per
# assignment; the row under the header gives each assignment's "Points Possible".
CANVAS_HEADER = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
# Moodle's "Import grades from CSV" (docs.moodle.org, Grade import): any columns, one of them
# mapped under "Identify user by" to username or useremail, the others to grade items.
MOODLE_MAP_FROM = {"Username": "username", "Email address": "useremail"}


def _run(*argv):
    stdout, stderr = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        code = main(list(argv))
    return code, stdout.getvalue(), stderr.getvalue()


def _csv(path):
    with open(path, newline="") as f:
        return list(csv.reader(f))


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    root = tmp_path_factory.mktemp("exports")
    submitted = root / "submitted"
    write_sample_class(submitted, [L])
    shutil.copytree(submitted / "alice_complete", submitted / EVIL)
    (submitted / "dan_absent").mkdir()
    out = root / "out"
    code, _, stderr = _run("grade", str(submitted), "--out", str(out), "--jobs", "2")
    assert code == 0, stderr
    return root, submitted, out


def _grade_by_hand(out, student, grade_id, score, answer=None, comment=None):
    """What formgrader does when the instructor types a score (and a comment) and leaves the box."""
    import json

    from nbgrader.api import Gradebook

    db_url = json.loads((out / ".nbgrader" / "last_run.json").read_text())["db_url"]
    with Gradebook(db_url) as gb:
        nb = gb.find_submission_notebook(L, L, student)
        next(g for g in nb.grades if g.name == grade_id).manual_score = score
        if comment:
            next(c for c in nb.comments if c.name == answer).manual_comment = comment
        gb.db.commit()


@pytest.fixture(scope="module")
def by_hand(graded):
    """bob_blank gets 0.5 on test_and_gate and a comment on his and_gate answer; then export."""
    root, _, out = graded
    _grade_by_hand(out, "bob_blank", "test_and_gate", 0.5, "and_gate", COMMENT)
    roster = root / "roster.csv"
    roster.write_text(
        "id,first_name,last_name,email,lms_user_id,sis_user_id,sis_login_id,section,username\n"
        "alice_complete,Alice,Archer,alice@example.edu,1001,S1001,alice,A,alice\n"
        "bob_blank,Bob,Baker,bob@example.edu,1002,,,A,\n"
        f"{EVIL},Eve,=HYPERLINK(\"x\"),eve@example.edu,1005,S1005,eve,B,eve\n"
        "zoe_roster_only,Zoe,Zed,zoe@example.edu,1009,S1009,zoe,B,zoe\n")
    code, stdout, stderr = _run("export", str(out), "--roster", str(roster))
    assert code == 0, stderr
    return out, stdout, stderr


def test_a_manual_grade_and_comment_reach_grades_and_totals_through_export(by_hand):
    out, stdout, _ = by_hand
    rows = {(r["student_id"], r["exercise"]): r for r in csv.DictReader((out / "grades.csv").open())}
    assert rows[("bob_blank", "test_and_gate")]["score"] == "0.5"
    assert rows[("bob_blank", "test_and_gate")]["comment"] == f"and_gate: {COMMENT}"
    assert rows[("bob_blank", "test_step")]["score"] == "0"  # the autograder's, untouched
    totals = {r["student_id"]: r for r in csv.DictReader((out / "totals.csv").open())}
    assert totals["bob_blank"][L] == "0.5" and totals["bob_blank"]["total"] == "0.5"
    assert "bob_blank           0.5" in stdout


def test_a_regrade_that_reuses_every_submission_keeps_the_manual_grade(by_hand, graded):
    _, submitted, out = graded
    code, _, stderr = _run("grade", str(submitted), "--out", str(out))
    assert code == 0, stderr
    assert "graded 0 submission(s), reused 5 unchanged" in stderr
    totals = {r["student_id"]: r for r in csv.DictReader((out / "totals.csv").open())}
    assert totals["bob_blank"]["total"] == "0.5"


def test_the_feedback_is_written_again_with_the_manual_grade_and_comment(by_hand):
    out, _, _ = by_hand
    page = (out / "feedback" / "bob_blank" / L / f"{L}.html").read_text()
    assert "Score: 0.5 / 5" in page
    assert "=SUM(A1) is not Python" in page
    assert "Score: 5.0 / 5" in (out / "feedback" / "alice_complete" / L / f"{L}.html").read_text()


def test_canvas_csv_has_canvas_import_layout_and_the_roster_identities(by_hand):
    out, _, _ = by_hand
    table = _csv(out / lms.CANVAS)
    assert table[0] == [*CANVAS_HEADER, L]
    assert table[1][0].strip() == "Points Possible" and table[1][1:5] == ["", "", "", ""]
    assert table[1][5] == "5"
    body = {r[1]: r for r in table[2:]}  # by Canvas's user id
    assert body["1001"] == ["Archer, Alice", "1001", "S1001", "alice", "A", "5"]
    assert body["1002"] == ["Baker, Bob", "1002", "", "", "A", "0.5"]  # the manual grade
    assert body["1005"][0] == "'=HYPERLINK(\"x\"), Eve"  # a formula in a name is text
    assert set(body) == {"1001", "1002", "1005"}


def test_moodle_csv_has_a_user_identifier_column_and_one_column_per_grade_item(by_hand):
    out, _, _ = by_hand
    table = _csv(out / lms.MOODLE)
    assert table[0][:2] == list(MOODLE_MAP_FROM) and table[0][2:] == [L]
    body = {r[0]: r for r in table[1:]}
    assert body == {"alice": ["alice", "alice@example.edu", "5"],
                    "eve": ["eve", "eve@example.edu", "5"],
                    "": ["", "bob@example.edu", "0.5"]}  # bob has an email, no username


def test_who_the_lms_files_leave_out_is_listed_in_a_file_and_on_stderr(by_hand):
    out, _, stderr = by_hand
    listed = {(r["student_id"], r["problem"]) for r in csv.DictReader((out / lms.UNMATCHED).open())}
    assert listed == {("carol_partial", "not_in_roster"), ("dan_absent", "not_in_roster"),
                      ("zoe_roster_only", "no_submission")}
    assert "2 student(s) in the grades are not in the roster" in stderr
    assert "1 roster student(s) have no submission" in stderr
    assert str(out / lms.UNMATCHED) in stderr


def test_text_cells_that_could_run_as_formulas_are_neutralised_in_every_csv(by_hand):
    out, _, _ = by_hand
    for name in ("grades.csv", "totals.csv"):
        ids = {r[0] for r in _csv(out / name)[1:]}
        assert f"'{EVIL}" in ids and EVIL not in ids, name
    assert all(not c.startswith(("=", "+", "-", "@", "\t", "\r"))
               for name in ("grades.csv", "totals.csv", lms.CANVAS, lms.MOODLE, lms.UNMATCHED)
               for r in _csv(out / name) for c in r), "a cell could run as a formula"


def test_numbers_stay_numbers_and_text_is_prefixed():
    assert cell(-2.0) == "-2" and cell(0.5) == "0.5" and cell(3) == "3"  # a late penalty: a number
    assert cell("-2") == "'-2" and cell("=1+1") == "'=1+1" and cell("+x") == "'+x"
    assert cell("@SUM(A1)") == "'@SUM(A1)" and cell("\tx") == "'\tx" and cell("\rx") == "'\rx"
    assert cell("ok = fine") == "ok = fine" and cell(None) == ""


def test_per_exercise_means_count_only_students_who_submitted(graded):
    from autograder.grading.exports import export
    from autograder.outputs.report import lesson_scores

    _, _, out = graded
    _, rows = export(out, to=out.parent / "again", report=False)
    per_student, per_exercise, absent = lesson_scores(rows, L)
    assert absent == ["dan_absent"]
    assert set(per_student) == {"alice_complete", "bob_blank", "carol_partial", EVIL}
    assert all(len(v) == 4 for v in per_exercise.values())
    page = (out / "report.html").read_text()
    assert "4 student(s) graded" in page and "1 not submitted or not graded" in page


def _rows_between(page, start, end):
    """The table rows (lists of cell texts) of the report between two headings."""
    import html
    import re

    part = page.split(start, 1)[1].split(end, 1)[0]
    return [[html.unescape(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", tr)]
            for tr in re.findall(r"<tr[^>]*>(.*?)</tr>", part)][1:]  # without the header row


def test_the_report_counts_mistakes_from_the_judges_verdicts(graded):
    from autograder.lessons import checks_of

    _, _, out = graded
    page = (out / "report.html").read_text()
    first = next(c for c in checks_of(L).values() if c.function == "weighted_sum")
    message = first.all_mistakes()[0].message  # carol's catalogued mistake
    assert _rows_between(page, "Most frequent diagnosed mistakes", "Other failing checks") == [
        ["1", L, first.name, message]]
    blank = _rows_between(page, "Not implemented yet", "Flagged for review")
    assert blank[0] == ["2", L, "and_gate"]  # bob's and carol's blank answer
    assert sorted(r[2] for r in blank[1:]) == ["neuron_output", "step", "weighted_sum",
                                               "weighted_sum_batch"]  # bob's only
    assert all(r[0] == "1" for r in blank[1:])


def test_the_export_of_a_folder_that_was_never_graded_says_what_it_needs(tmp_path):
    code, _, stderr = _run("export", str(tmp_path))
    assert code == 2
    assert "neither a graded output folder" in stderr and "nbgrader_config.py" in stderr


def test_a_long_mistakes_table_says_how_many_more_and_never_cuts_a_word():
    from autograder.outputs.diagnosis import Diagnosis
    from autograder.outputs.grades import Row
    from autograder.outputs.report import MAX_ROWS, mistakes_section, shorten

    words = "the gradient of the cost with respect to the weights is transposed " * 6
    rows = [Row(f"s{i:02d}", L, NB, f"test_{k}", 0.0, 1.0,
                diagnoses=(Diagnosis(f"check_{k}", "mistake", f"m{k}", f"{k}: {words}"),))
            for k in range(MAX_ROWS + 3) for i in range(k % 4 + 1)]
    page = "\n".join(mistakes_section(rows))
    rest = sum(k % 4 + 1 for k in range(MAX_ROWS + 3)) - sum(
        sorted((k % 4 + 1 for k in range(MAX_ROWS + 3)), reverse=True)[:MAX_ROWS])
    assert f"and 3 more diagnosed mistakes ({rest} student answers in all)" in page
    short = shorten(words)
    assert len(short) <= 240 and short.endswith(" \u2026")
    assert words.startswith(short.removesuffix(" \u2026"))
    assert short.removesuffix(" \u2026").split()[-1] in words.split()  # a whole word


def test_a_late_penalty_is_the_gradebooks_and_a_course_exports_its_whole_gradebook(tmp_path,
                                                                                   monkeypatch):
    import os
    import sys
    from datetime import datetime

    from nbgrader.api import Gradebook

    from autograder.settings import REPO

    course = tmp_path / "course"
    course.mkdir()
    shutil.copy(REPO / "nbgrader_config.py", course / "nbgrader_config.py")
    with (course / "nbgrader_config.py").open("a") as f:
        f.write('\nc.LateSubmissionPlugin.penalty_method = "zero"\n')
    write_sample_class(course / "submitted", [L])
    for student in ("bob_blank", "carol_partial"):
        shutil.rmtree(course / "submitted" / student)
    (course / "submitted" / "alice_complete" / L / "timestamp.txt").write_text(
        "2026-01-02 10:00:00.000000 UTC")
    # nbgrader makes a new gradebook with the alembic script of this environment
    monkeypatch.setenv("PATH", os.path.dirname(sys.executable) + os.pathsep + os.environ["PATH"])
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:  # `nbgrader db assignment add`
        gb.update_or_create_assignment(L, duedate=datetime(2026, 1, 1))
    code, _, stderr = _run("grade", str(course / "submitted"), "--out", str(course / "out"))
    assert code == 0, stderr
    for out in (course / "out", course / "export"):
        if out.name == "export":
            code, _, stderr = _run("export", str(course))
            assert code == 0, stderr
        rows = list(csv.DictReader((out / "grades.csv").open()))
        penalty = [r for r in rows if r["exercise"] == "late_submission_penalty"]
        assert [(r["student_id"], r["score"]) for r in penalty] == [("alice_complete", "-5")], out
        assert penalty[0]["status"].startswith("late: ")
        assert _csv(out / "totals.csv")[1] == ["alice_complete", "0", "0"]
        assert _csv(out / lms.CANVAS)[1][5] == "5"  # points possible: the lesson's, not the penalty
