"""Hostile and broken submissions, graded in one run by the real ``ann-course grade``.

Every case is a real lesson-01 submission (the solutions, with hostile code put in an answer cell
or the notebook's JSON changed) graded by real nbgrader on real kernels. The expected result of
each case is written next to it: a score, a status, a flag.
"""

from __future__ import annotations

import dataclasses

import pytest

from autograder import notebooks
from autograder.grading.grade import grade
from autograder.limits import Limits
from autograder.release.sample_class import mistake_answer, submission

L, NB = "01_neuron", "01_neuron.ipynb"
TOTAL = 5.0
STEP_OK = "def step(z):\n    return np.where(np.asarray(z) >= 0, 1.0, 0.0)\n"
WRONG_STEP = mistake_answer(L, "step")  # a recognised wrong answer: test_step must fail


def nb_with(overrides=None):
    return submission(L, NB, overrides)


def _cell(nb, grade_id):
    return next(c for c in nb.cells if notebooks.nbgrader_meta(c).get("grade_id") == grade_id)


def deleted_test():
    nb = nb_with({"step": WRONG_STEP})
    nb.cells = [c for c in nb.cells if notebooks.nbgrader_meta(c).get("grade_id") != "test_step"]
    return nb


def edited_test():
    nb = nb_with({"step": WRONG_STEP})
    _cell(nb, "test_step").source = "print('all good')"
    return nb


def retyped_test():
    """The test cell deleted, then typed again by hand in a new cell (no metadata)."""
    nb = deleted_test()
    import nbformat

    i = next(k for k, c in enumerate(nb.cells) if notebooks.nbgrader_meta(c).get("grade_id") == "step")
    nb.cells.insert(i + 1, nbformat.v4.new_code_cell("checks.step(step)\nprint('retyped')"))
    return nb


def flipped_test():
    """nbgrader issue #1941: a test cell's metadata turned into an answer cell's."""
    nb = nb_with({"step": WRONG_STEP})
    cell = _cell(nb, "test_step")
    cell.metadata["nbgrader"].update(grade=False, solution=True, locked=False)
    cell.source = "pass"
    return nb


def ungraded_test():
    nb = nb_with({"step": WRONG_STEP})
    cell = _cell(nb, "test_step")
    cell.metadata["nbgrader"]["grade"] = False
    cell.metadata["nbgrader"]["points"] = 0
    return nb


def with_warning():
    src = ("def step(z):\n    import warnings\n    warnings.warn('step: careful with -0.0', "
           "UserWarning)\n    return np.where(np.asarray(z) >= 0, 1.0, 0.0)\n")
    return nb_with({"step": src})


#: student -> (notebook or raw bytes or None, extra files, expected score, status part, flag part)
CASES = {
    "complete": (nb_with(), {}, TOTAL, "ok", ""),
    "loop_in_answer": (nb_with({"step": "def step(z):\n    while True:\n        pass\n"}), {},
                       TOTAL - 1, "timeout", ""),
    "loop_at_top": (nb_with({"and_gate": "while True:\n    pass\n"}), {}, TOTAL - 1, "timeout", ""),
    "os_exit": (nb_with({"step": "import os\nos._exit(1)\n"}), {}, 2.0, "kernel died", ""),
    "sys_exit": (nb_with({"step": STEP_OK + "import sys\nsys.exit()\n"}), {}, TOTAL, "", ""),
    "memory_hog": (nb_with({"step": "import numpy as np\nhog = np.ones(400_000_000)\n" + STEP_OK}),
                   {}, TOTAL - 1, "memory limit", ""),
    "deleted_test": (deleted_test(), {}, TOTAL - 1, "ok", "restored"),
    "edited_test": (edited_test(), {}, TOTAL - 1, "ok", "restored"),
    "retyped_test": (retyped_test(), {}, TOTAL - 1, "ok", "restored"),
    "flipped_test": (flipped_test(), {}, TOTAL - 1, "ok", "restored"),
    "ungraded_test": (ungraded_test(), {}, TOTAL - 1, "ok", "restored"),
    "shadow_files": (nb_with(), {"numpy.py": "raise ImportError('shadowed numpy')\n",
                                 "ann_lib.py": "raise ImportError('shadowed ann_lib')\n",
                                 "autograder.py": "raise ImportError('shadowed autograder')\n",
                                 "ann_lib/__init__.py": "raise ImportError('shadowed')\n"},
                     TOTAL, "ok", "shadow"),
    "patch_allclose": (nb_with({"step": "np.allclose = lambda *a, **k: True\n" + WRONG_STEP}), {},
                       TOTAL - 1, "ok", "numpy.allclose"),
    "patch_isclose": (nb_with({"step": "np.isclose = lambda *a, **k: np.True_\n" + WRONG_STEP}),
                      {}, TOTAL - 1, "ok", "numpy.isclose"),
    "patch_check": (nb_with({"step": "checks.step = lambda f: None\n" + WRONG_STEP}), {},
                    TOTAL - 1, "ok", "step"),
    "patch_expect": (nb_with({"step": "checks.expect = lambda *a, **k: None\n"
                                      "checks.step.verdict = lambda s: None\n" + WRONG_STEP}),
                     {}, TOTAL - 1, "ok", "tampered"),
    "fake_checks": (nb_with({"step": "class Fake:\n    def __getattr__(self, name):\n"
                                     "        return lambda *a, **k: None\nchecks = Fake()\n"
                                     + WRONG_STEP}), {}, TOTAL - 1, "ok", "`checks` was rebound"),
    "patch_core": (nb_with({"step": "import autograder.checks.core as core\n"
                                    "core._close = lambda *a, **k: True\n"
                                    "core.CheckFailed = type('Quiet', (Exception,), {})\n"
                                    + WRONG_STEP}), {}, TOTAL - 1, "ok", "autograder.checks.core"),
    "patch_inside": (nb_with({"step": "def step(z):\n    import numpy\n"
                                      "    numpy.isclose = lambda *a, **k: numpy.True_\n"
                                      "    return 7.0\n"}), {}, TOTAL - 1, "ok", "during test_step"),
    # (no status asserted: a broken abs slows matplotlib's drawing of the lesson's next figure,
    # which may pass this file's 5 s cell limit on a loaded machine; the score is what matters)
    "patch_builtins": (nb_with({"step": "import builtins\nbuiltins.abs = lambda x: 0\n"
                                        "builtins.sneaky = 1\n" + WRONG_STEP}), {}, TOTAL - 1, "",
                       "builtins."),
    # isinstance is used by the kernel itself: it stops answering or dies (which the grader sees
    # first depends on the machine's load: both are "kernel died..."); the batch goes on
    "wedged_kernel": (nb_with({"step": "import builtins\nbuiltins.isinstance = lambda *a: True\n"
                                       + STEP_OK}), {}, 2.0, "kernel died",
                      "patches builtins.isinstance"),
    "hide_errors": (nb_with({"step": "get_ipython().showtraceback = lambda *a, **k: None\n"
                                     "get_ipython().set_custom_exc((Exception,), "
                                     "lambda *a, **k: None)\n" + WRONG_STEP}), {}, TOTAL - 1, "ok",
                    "IPython"),
    # ann_lib.neuron is out of a graded kernel's reach (autograder.grading.kernel_tree), and so is
    # activations.step (withheld in lesson 01's kernel, which keeps the rest of ann_lib.activations):
    # both answers earn 0
    "calls_reference": (nb_with({"weighted_sum": "from ann_lib.neuron import weighted_sum\n",
                                 "step": "def step(z):\n    return activations.step(z)\n"}), {},
                        TOTAL - 2, "ok", "ann_lib.neuron"),
    "huge_output": (nb_with({"step": "print(('x' * 99 + '\\n') * 300_000)\nprint('y' * 3_000_000)\n"
                                     + STEP_OK}), {}, TOTAL, "ok", ""),
    "warnings": (with_warning(), {}, TOTAL, "ok", ""),
    "unreadable": (b"{ this is not json", {}, 0.0, "unreadable notebook", ""),
    "empty_file": (b"", {}, 0.0, "unreadable notebook", ""),
    "missing": (None, {"notes.txt": "I forgot"}, 0.0, "missing notebook", ""),
    "renamed": (None, {"01_neuron (1).ipynb": nb_with()}, 0.0, "renamed", "extra notebooks"),
}


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile")
    submitted = root / "submitted"
    for student, (nb, files, *_ ) in CASES.items():
        folder = submitted / student / L
        folder.mkdir(parents=True)
        if isinstance(nb, bytes):
            (folder / NB).write_bytes(nb)
        elif nb is not None:
            notebooks.write(nb, folder / NB)
        for name, content in files.items():
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, str):
                (folder / name).write_text(content)
            else:
                notebooks.write(content, folder / name)
    out = root / "out"
    rows = grade(submitted, out, limits=Limits(timeout=5), jobs=2).rows
    return submitted, out, rows


def _of(rows, student):
    return [r for r in rows if r.student_id == student]


@pytest.mark.parametrize("student", list(CASES))
def test_hostile_submission_is_graded_with_status_and_flag(hostile, student):
    _, _, rows = hostile
    _, _, score, status, flag = CASES[student]
    got = _of(rows, student)
    assert len(got) == 5, [(r.exercise, r.status) for r in got]
    total = sum(r.score for r in got)
    detail = [(r.exercise, r.score, r.status, r.flags) for r in got]
    assert total == score, detail
    if status == "ok":
        assert all(r.status == "ok" for r in got), detail
    elif status:
        assert any(status in r.status for r in got), detail
    if flag:
        assert all(flag in r.flags for r in got), detail
    else:
        assert not any(r.flags for r in got), detail


def test_a_timeout_still_grades_the_rest_and_names_the_cell(hostile):
    _, _, rows = hostile
    got = {r.exercise: r for r in _of(rows, "loop_in_answer")}
    assert got["test_step"].score == 0 and got["test_step"].status.startswith("timeout")
    assert {e: r.score for e, r in got.items()} == {
        "test_weighted_sum": 1, "test_weighted_sum_batch": 1, "test_step": 0,
        "test_neuron_output": 1, "test_and_gate": 1}


def test_a_dead_kernel_keeps_the_scores_before_it(hostile):
    _, _, rows = hostile
    got = {r.exercise: r.score for r in _of(rows, "os_exit")}
    assert got == {"test_weighted_sum": 1, "test_weighted_sum_batch": 1, "test_step": 0,
                   "test_neuron_output": 0, "test_and_gate": 0}


def test_tampering_loses_the_tampered_test_only(hostile):
    _, _, rows = hostile
    for student in ("patch_isclose", "patch_check", "fake_checks", "patch_core", "patch_inside",
                    "hide_errors", "patch_expect"):
        got = {r.exercise: r.score for r in _of(rows, student)}
        assert got == {"test_weighted_sum": 1, "test_weighted_sum_batch": 1, "test_step": 0,
                       "test_neuron_output": 1, "test_and_gate": 1}, student


def test_huge_output_is_capped_in_the_graded_notebook_and_feedback(hostile):
    _, out, _ = hostile
    graded = out / ".nbgrader" / "autograded" / "huge_output" / L / NB
    assert graded.stat().st_size < 2_000_000
    feedback = out / "feedback" / "huge_output" / L / NB.replace(".ipynb", ".html")
    assert feedback.stat().st_size < 3_000_000


def test_originals_are_never_touched(hostile):
    submitted, _, _ = hostile
    assert (submitted / "renamed" / L / "01_neuron (1).ipynb").exists()
    assert (submitted / "shadow_files" / L / "numpy.py").exists()
    assert (submitted / "unreadable" / L / NB).read_bytes() == b"{ this is not json"
    nb = notebooks.read(submitted / "edited_test" / L / NB)
    assert _cell(nb, "test_step").source == "print('all good')"


def test_the_class_gradebook_holds_every_graded_submission(hostile):
    from nbgrader.api import Gradebook

    _, out, rows = hostile
    with Gradebook(f"sqlite:///{out / '.nbgrader' / 'gradebook.db'}", "ann-course") as gb:
        for student in ("complete", "os_exit", "edited_test", "loop_in_answer"):
            sub = gb.find_submission(L, student)
            assert sub.score == sum(r.score for r in _of(rows, student)), student
            assert sub.max_score == TOTAL


def test_regrading_only_grades_new_or_changed_submissions(hostile):
    submitted, out, rows = hostile
    again = grade(submitted, out, limits=Limits(timeout=5), jobs=2)
    # a dead kernel is a failure, never cached: those two are graded again (with the same result)
    assert again.graded == len({"os_exit", "wedged_kernel"})
    # the same scores, statuses and flags; a kernel that died may be told to have died or to have
    # stopped responding first, depending on which the grader noticed first under load
    def same(row):
        status = "kernel died" if row.status.startswith("kernel died") else row.status
        return repr(dataclasses.replace(row, status=status))

    assert sorted(map(same, again.rows)) == sorted(map(same, rows))
    notebooks.write(nb_with({"step": WRONG_STEP}), submitted / "complete" / L / NB)
    changed = grade(submitted, out, limits=Limits(timeout=5), jobs=2)
    assert changed.graded == 1 + len({"os_exit", "wedged_kernel"})
    assert sum(r.score for r in _of(changed.rows, "complete")) == TOTAL - 1
