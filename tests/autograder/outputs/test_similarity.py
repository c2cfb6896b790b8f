"""The report's similar-answers hints on a small class written here, one behaviour per test."""

from __future__ import annotations

import html
import inspect
import re
import textwrap

import pytest

from ann_lib import neuron
from autograder import notebooks
from autograder.grading.grade import Row
from autograder.outputs import similarity
from autograder.outputs.report import write_report
from autograder.settings import REPO

LESSON, NOTEBOOK = "01_neuron", "01_neuron.ipynb"
SIGNATURE = "def neuron_output(x, w, b, activation):\n"

ALICE = SIGNATURE + """\
    # the weighted sum first
    weighted = np.dot(x, w) + b
    if np.ndim(weighted) == 0:
        weighted = float(weighted)
    result = activation(weighted)
    return result
"""
# ALICE's code with every name changed, other comments and spacing, a docstring added
BOB = """\
def neuron_output(inputs, weights, bias, f):
    '''My neuron.'''
    s = np.dot( inputs,weights ) + bias   # z
    if np.ndim(s)==0:

        s = float(s)
    out = f(s)
    return out
"""
# correct too, written independently
CAROL = SIGNATURE + """\
    total = 0.0
    for xi, wi in zip(np.atleast_2d(x).T, w):
        total = total + xi * wi
    total = total + b
    return activation(total if np.ndim(x) > 1 else total[0])
"""


def _submit(root, student, answers, lesson=LESSON, name=NOTEBOOK):
    """Write ``root/<student>/<lesson>/<name>``: the release with ``answers`` typed in."""
    release = notebooks.read(REPO / "course" / lesson / name)
    notebooks.write(notebooks.fill(release, answers), root / student / lesson / name)


def _students(findings):
    return {(p.exercise, frozenset((p.a.student, p.b.student))) for p in findings.pairs}


@pytest.fixture
def submitted(tmp_path):
    root = tmp_path / "submitted"
    for student, answer in (("alice", ALICE), ("bob", BOB), ("carol", CAROL)):
        _submit(root, student, {"neuron_output": answer})
    return root


def test_copies_with_renamed_names_and_other_layout_are_paired(submitted):
    assert ("neuron_output", frozenset({"alice", "bob"})) in _students(similarity.find(submitted))


def test_independent_answers_written_differently_are_compared_but_not_paired(submitted):
    findings = similarity.find(submitted)
    pairs = _students(findings)
    assert ("neuron_output", frozenset({"alice", "carol"})) not in pairs
    assert ("neuron_output", frozenset({"bob", "carol"})) not in pairs
    assert {("alice", LESSON, "neuron_output"), ("carol", LESSON, "neuron_output")} <= findings.compared


def test_untouched_release_stubs_are_never_paired(tmp_path):
    root = tmp_path / "submitted"
    for student in ("dan", "erin", "fay"):
        _submit(root, student, {})
    findings = similarity.find(root)
    assert findings.pairs == []
    assert findings.compared == set()


def test_one_line_answers_everyone_writes_are_not_compared(tmp_path):
    root = tmp_path / "submitted"
    answer = "def weighted_sum_batch(X, w, b):\n    return X @ w + b\n"
    for student in ("kim", "lee"):
        _submit(root, student, {"weighted_sum_batch": answer})
    findings = similarity.find(root)
    assert findings.pairs == []
    assert findings.compared == set()


def test_two_students_handing_in_the_solution_are_a_pair(tmp_path):
    lesson, name = "03_forward", "03_forward.ipynb"
    solution = notebooks.answers(notebooks.read(REPO / "solutions" / lesson / name))["forward"]
    root = tmp_path / "submitted"
    for student in ("gus", "hal"):
        _submit(root, student, {"forward": solution}, lesson, name)
    assert ("forward", frozenset({"gus", "hal"})) in _students(similarity.find(root))


def _copy_of_ann_lib_weighted_sum():
    body = inspect.getsource(neuron.weighted_sum).split('"""', 2)[2]  # drop signature and docstring
    uses = "    as_float_array = np.asarray\n"  # what the copied body calls, defined by the student
    return "def weighted_sum(x, w, b):\n" + uses + textwrap.dedent(body).replace("\n", "\n    ")


def test_a_copy_of_ann_libs_function_body_is_reported_with_the_function(tmp_path):
    root = tmp_path / "submitted"
    _submit(root, "ivy", {"weighted_sum": _copy_of_ann_lib_weighted_sum()})
    _submit(root, "jon", {"weighted_sum": SIGNATURE.replace("neuron_output", "weighted_sum")
                          .replace(", activation", "") + "    return float(np.dot(x, w) + b)\n"})
    copies = similarity.find(root).copies
    assert [(c.answer.student, c.answer.exercise, c.function) for c in copies] == [
        ("ivy", "weighted_sum", "ann_lib.neuron.weighted_sum")]


def test_ann_libs_functions_are_compared_without_their_type_annotations(tmp_path):
    package = tmp_path / "ann_lib"
    package.mkdir()
    (package / "m.py").write_text(
        "def f(x: int, y: list[int] | None = None, *rest: str) -> dict[str, int]:\n"
        "    z: float = 1.0\n    return {'a': x}\n")
    assert similarity.reference_functions(package) == {
        "ann_lib.m.f": "def f(x, y=None, *rest):\n    z = 1.0\n    return {'a': x}"}


def test_normalising_ignores_names_comments_docstrings_and_layout():
    a = "def f(x):\n    '''doc'''\n    y = x + 1  # one\n    return y\n"
    b = "def g(value):\n\n    result=value+ 1\n\n    return  result   # done\n"
    assert similarity.normalise(a) == similarity.normalise(b)
    assert similarity.normalise(a) != similarity.normalise("def f(x):\n    return x - 1\n")


def test_a_syntax_error_keeps_the_tokens_before_it():
    tokens = similarity.normalise("total = np.sum(x\n")
    assert tokens[:5] == ["v0", "=", "v1", ".", "sum"]


def test_report_shows_both_snippets_of_a_pair_side_by_side(submitted, tmp_path):
    rows = [Row(s, LESSON, NOTEBOOK, "test_neuron_output", 1.0, 1.0) for s in ("alice", "bob", "carol")]
    out = tmp_path / "out"
    out.mkdir()
    page = write_report(rows, out, submitted=submitted).read_text()
    section = page.split("Near-identical pairs", 1)[1].split("</table>", 1)[0]
    row = next(r for r in section.split("<tr>") if "alice" in r and "bob" in r)
    assert html.escape("weighted = np.dot(x, w) + b") in row
    assert html.escape("s = np.dot( inputs,weights ) + bias") in row
    assert "carol" not in section


def test_the_reports_excerpts_are_the_students_own_lines_without_the_release_text(submitted,
                                                                                   tmp_path):
    rows = [Row(s, LESSON, NOTEBOOK, "test_neuron_output", 1.0, 1.0) for s in ("alice", "bob")]
    page = write_report(rows, tmp_path, submitted=submitted).read_text()
    section = page.split("Near-identical pairs", 1)[1].split("</table>", 1)[0]
    assert html.escape("weighted = np.dot(x, w) + b") in section
    assert html.escape(SIGNATURE.strip()) not in section  # the release's signature
    assert "the weighted sum first" not in section  # a comment line


def test_an_excerpt_keeps_whole_lines_and_says_how_many_more():
    code = "\n".join(f"    line_{i} = {i} * x" for i in range(30))
    short = similarity.excerpt(code)
    assert short.splitlines()[:-1] == code.splitlines()[:similarity.EXCERPT_LINES]
    assert short.endswith(f"... ({30 - similarity.EXCERPT_LINES} more lines)")
    assert similarity.without_docstring(inspect.getsource(neuron.weighted_sum)).count('"""') == 0


def _own_answer(i):
    """An answer of ``neuron_output`` no other student writes: its own constants and steps."""
    lines = [f"    t{j} = x * {i * 31 + j} + {i * 17 + 3 * j}" for j in range(6)]
    return SIGNATURE + "\n".join(lines) + f"\n    return activation(t0 - t5 * {i + 101})\n"


def test_a_copied_pair_is_found_among_many_students_without_comparing_all_pairs(tmp_path):
    root = tmp_path / "submitted"
    students = [f"s{i:02d}" for i in range(40)]
    for i, student in enumerate(students):
        _submit(root, student, {"neuron_output": _own_answer(i)})
    renamed = re.sub(r"\bt(\d)", r"u\1", _own_answer(7))  # s07's code, its names changed
    _submit(root, "copier", {"neuron_output": renamed})
    findings = similarity.find(root)
    assert _students(findings) == {("neuron_output", frozenset({"s07", "copier"}))}
    assert len(findings.compared) == len(students) + 1  # every answer long enough to compare
    everyone = (len(students) + 1) * len(students) // 2
    assert findings.comparisons < everyone // 10, (findings.comparisons, everyone)


def test_many_students_with_the_same_code_are_one_row_naming_them_all(tmp_path):
    root = tmp_path / "submitted"
    for student in ("amy", "ben", "cat", "dov"):
        _submit(root, student, {"neuron_output": ALICE})
    findings = similarity.find(root)
    assert [(p.a.student, p.b.student, p.a.same) for p in findings.pairs] == [
        ("amy", "ben", ["ben", "cat", "dov"])]
    section = "".join(similarity.html_section(root))
    assert "the same code: also cat, dov" in section
