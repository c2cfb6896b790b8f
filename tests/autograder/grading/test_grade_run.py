"""``ann-course grade`` end to end on a small class: the command, totals.csv, report.html, Dask.

Lesson 01 only, the three sample students (complete, blank, a catalogued mistake), graded by the
real command on real kernels; then the same class on a local Dask cluster.
"""

from __future__ import annotations

import csv

import pytest

from autograder.cli import main
from autograder.grading.grade import grade
from autograder.lessons import checks_of
from autograder.limits import Limits, format_size, parse_size
from autograder.release.sample_class import write_sample_class

L = "01_neuron"


@pytest.fixture(scope="module")
def small_class(tmp_path_factory):
    root = tmp_path_factory.mktemp("small")
    write_sample_class(root / "submitted", [L])
    return root


@pytest.fixture(scope="module")
def cli_run(small_class):
    import contextlib
    import io

    out = small_class / "out"
    stdout, stderr = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        code = main(["grade", str(small_class / "submitted"), "--out", str(out), "--jobs", "2",
                     "--timeout", "30", "--memory", "1G"])
    return code, stdout.getvalue(), stderr.getvalue(), out


def test_the_command_prints_the_table_and_a_summary(cli_run):
    code, stdout, stderr, out = cli_run
    assert code == 0, stderr
    lines = {ln.split()[0]: ln.split() for ln in stdout.splitlines() if ln.strip()}
    assert lines["alice_complete"][1:3] == ["5", "5"]
    assert lines["bob_blank"][1] == "0"
    assert lines["carol_partial"][1] == "3"
    assert "graded 3 submission(s)" in stderr
    assert "3/3" in stderr  # the progress bar reached the end
    assert "seconds per stage" in stderr and "similarity" in stderr


def test_totals_csv_has_one_column_per_assignment(cli_run):
    _, _, _, out = cli_run
    with (out / "totals.csv").open() as f:
        reader = csv.reader(f)
        header = next(reader)
        body = {r[0]: r[1:] for r in reader}
    assert header == ["student_id", L, "total"]
    assert body == {"alice_complete": ["5", "5"], "bob_blank": ["0", "0"],
                    "carol_partial": ["3", "3"]}


def test_report_has_plots_mistakes_and_no_hidden_tests(cli_run):
    _, _, _, out = cli_run
    page = (out / "report.html").read_text()
    assert page.count("data:image/png;base64,") == 2  # the distribution, the means
    first = list(checks_of(L))[0]
    message = checks_of(L)[first].all_mistakes()[0].message
    assert message in page
    blank = page.split("Not implemented yet", 1)[1]  # bob's and carol's blank last answer
    assert ("<td data-label='students'>2</td><td data-label='assignment'>01_neuron</td>"
            "<td data-label='check'>and_gate</td>") in blank
    assert "checks." not in page
    assert "Similar answers (review hints, no score change)" in page  # grade passes the answers on


def test_feedback_is_written_per_student(cli_run):
    _, _, _, out = cli_run
    for student in ("alice_complete", "bob_blank", "carol_partial"):
        assert (out / "feedback" / student / L / f"{L}.html").exists()


def test_parse_size():
    assert parse_size("1G") == 1 << 30
    assert parse_size("512M") == 512 << 20
    assert parse_size("2GiB") == 2 << 30
    assert parse_size("0") == 0
    assert [parse_size(format_size(n)) for n in (1 << 30, 512 << 20, 3 << 10, 1000)] == [
        1 << 30, 512 << 20, 3 << 10, 1000]


def test_a_dask_cluster_grades_the_same(small_class, cli_run):
    import distributed
    _, _, _, out = cli_run
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        run = grade(small_class / "submitted", small_class / "out-dask", limits=Limits(timeout=30),
                    scheduler=cluster.scheduler_address)
    rows, spent = run.rows, run.seconds
    assert min(spent.staging, spent.kernel, spent.cells, spent.judge, spent.feedback,
               spent.merge, spent.csv, spent.report, spent.similarity) > 0, spent
    assert spent.job >= spent.staging + spent.kernel + spent.cells + spent.judge + spent.feedback
    assert spent.total >= spent.register + spent.merge + spent.csv + spent.report + spent.similarity
    with (out / "grades.csv").open() as f:
        pool = {(r["student_id"], r["exercise"]): float(r["score"]) for r in csv.DictReader(f)}
    dask = {(r.student_id, r.exercise): r.score for r in rows}
    assert dask == pool
    totals = {student: sum(s for (who, _), s in dask.items() if who == student)
              for student in ("alice_complete", "bob_blank", "carol_partial")}
    assert totals == {"alice_complete": 5, "bob_blank": 0, "carol_partial": 3}


def test_a_stopped_runs_journal_is_read_after_the_state_and_a_cut_line_is_skipped(tmp_path):
    import json

    from autograder.grading.grade import _read_state

    state, journal = tmp_path / "state.json", tmp_path / "state.journal"
    state.write_text(json.dumps({"a/01": {"key": "old", "rows": []}, "b/01": {"key": "b"}}))
    journal.write_text(json.dumps({"a/01": {"key": "new", "rows": []}}) + "\n"
                       + json.dumps({"c/01": {"key": "c"}})[:-3])  # the run stopped mid-line
    assert _read_state(state, journal) == {"a/01": {"key": "new", "rows": []}, "b/01": {"key": "b"}}
