"""The shape of every graded exercise (issue #20): few one-line transcriptions, and every exercise whole.

A *one-line answer* is an answer whose code between ``### BEGIN SOLUTION`` and ``### END SOLUTION``,
dedented and parsed, with docstrings removed, is a single statement that is not ``return <literal>``
(a literal answer is a prediction the student found by experiment: those are welcome). A lesson
keeps at most one such transcription; the others become small derivations, predictions or
experiments. In the lessons whose backward passes the student derives (06, 08, the capstone), no
markdown cell hands over the matrix gradient formula. The rest of an exercise's shape (locked
test cells with a visible test and a hidden check) is tests/test_project.py's
``test_every_answer_has_locked_tests_that_call_its_hidden_check``; here only what that test does
not look at: a prompt before the answer and a docstring in it.
"""

from __future__ import annotations

import ast
import textwrap

import pytest

from autograder import notebooks
from autograder.settings import REPO

LESSONS = sorted((REPO / "solutions").glob("*/*.ipynb"))

#: Calls that may wrap a literal answer, as in ``return np.array([1.0, 1.0]), -0.5``.
_LITERAL_CALLS = {"np.array", "np.asarray", "float", "int"}


def _is_literal(node: ast.expr) -> bool:
    """True for constants and containers of them (negated too), e.g. ``0.09`` or ``[(1, 2), 3]``."""
    if isinstance(node, ast.Constant):
        return True
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        return _is_literal(node.operand)
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        return all(_is_literal(e) for e in node.elts)
    if isinstance(node, ast.Dict):
        return all(k is not None and _is_literal(k) for k in node.keys) and \
            all(_is_literal(v) for v in node.values)
    if isinstance(node, ast.Call) and ast.unparse(node.func) in _LITERAL_CALLS:
        return not node.keywords and all(_is_literal(a) for a in node.args)
    return False


def _statements(body: list[ast.stmt]) -> list[ast.stmt]:
    """``body`` without docstrings (a string constant standing alone as a statement)."""
    return [s for s in body if not (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant)
                                    and isinstance(s.value.value, str))]


def is_one_line_answer(solution: str) -> bool:
    """True when the solution region ``solution`` is a single statement other than ``return <literal>``."""
    body = _statements(ast.parse(textwrap.dedent(solution)).body)
    if len(body) != 1:
        return False
    only = body[0]
    return not (isinstance(only, ast.Return) and only.value is not None and _is_literal(only.value))


def one_line_answers(nb) -> list[str]:
    """The grade ids of the notebook's answers that are one-line transcriptions."""
    found = []
    for cell in nb.cells:
        if notebooks.is_answer(cell):
            region = "\n".join(notebooks.region(cell.source, notebooks.BEGIN_SOLUTION,
                                                notebooks.END_SOLUTION))
            if is_one_line_answer(region):
                found.append(notebooks.nbgrader_meta(cell)["grade_id"])
    return found


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.parent.name)
def test_a_lesson_has_at_most_one_one_line_answer(path):
    found = one_line_answers(notebooks.read(path))
    assert len(found) <= 1, (f"{path.parent.name} has {len(found)} one-line answers, at most 1 "
                             f"allowed (make the others derivations, predictions or experiments): "
                             f"{', '.join(found)}")


@pytest.mark.parametrize("solution, expected", [
    ("return X.mean(axis=0)", True),
    ("    return (X - mean) / scale\n", True),
    ('"""The mean."""\nreturn X.mean(axis=0)', True),
    ("x = 1", True),
    ("mu = X.mean(axis=0)\nreturn mu, X.std(axis=0)", False),
    ("return 0.09", False),
    ("return -3", False),
    ("return np.array([1.0, 1.0]), -0.5", False),
    ("return [([[10, 10]], [-5]), {'b': (1,)}]", False),
    ("return np.array(x)", True),
    ("return float(y)", True),
    ("# a comment only counts as nothing\nreturn 2", False),
    ("", False),
])
def test_one_line_answer_is_a_single_statement_other_than_a_literal_return(solution, expected):
    assert is_one_line_answer(solution) is expected


def test_the_count_reports_the_one_liners_of_a_notebook_by_name():
    nb = notebooks.read(LESSONS[0])
    answers = [c for c in nb.cells if notebooks.is_answer(c)]
    first, second = answers[0], answers[1]
    for cell, body in ((first, "    return X.sum()"), (second, "    a = 1\n    return a")):
        head = cell.source.split(notebooks.BEGIN_SOLUTION)[0]
        cell.source = f"{head}{notebooks.BEGIN_SOLUTION}\n{body}\n    {notebooks.END_SOLUTION}\n"
    found = one_line_answers(nb)
    assert notebooks.nbgrader_meta(first)["grade_id"] in found
    assert notebooks.nbgrader_meta(second)["grade_id"] not in found


def _docstring_of_answer(cell) -> bool:
    tree = ast.parse(cell.source)
    defs = [n for n in tree.body if isinstance(n, ast.FunctionDef)]
    return bool(defs) and all(ast.get_docstring(d) for d in defs)


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.parent.name)
def test_every_answer_has_a_prompt_before_it_and_a_signature_with_a_docstring(path):
    nb = notebooks.read(path)
    for k, cell in enumerate(nb.cells):
        if not notebooks.is_answer(cell):
            continue
        name = notebooks.nbgrader_meta(cell)["grade_id"]
        before = [c for c in nb.cells[:k] if c.cell_type == "markdown"]
        assert before and f"`{name}(" in before[-1].source, (
            f"{path.parent.name}: the markdown cell before answer {name} is not its prompt "
            f"(it does not name `{name}(...)`)")
        assert _docstring_of_answer(cell), f"{path.parent.name}: answer {name} has no docstring"
        assert notebooks.BEGIN_SOLUTION in cell.source and notebooks.END_SOLUTION in cell.source, (
            f"{path.parent.name}: answer {name} has no solution region")
