"""The tests themselves: no assertion that silently never runs.

numpy's ``assert_*`` functions return None, so in ``assert_equal(a, b) and assert_equal(c, d)`` the
second call never runs. Any expression statement that is an ``and``/``or`` chain containing a call
is reported with its file and line.
"""

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parent


def chained_calls(source, filename="<test>"):
    """``filename:line`` of every expression statement that is a boolean chain containing a call."""
    found = []
    for node in ast.walk(ast.parse(source, filename)):
        if (
            isinstance(node, ast.Expr)
            and isinstance(node.value, ast.BoolOp)
            and any(isinstance(n, ast.Call) for n in ast.walk(node.value))
        ):
            found.append(node.lineno)
    return [f"{filename}:{line}" for line in sorted(found)]


def test_chained_calls_finds_an_and_chain_of_assertions():
    source = "def test_x():\n    x = 1\n    assert_equal(a, b) and assert_equal(c, d)\n"
    assert chained_calls(source, "t.py") == ["t.py:3"]


def test_chained_calls_finds_or_chains_and_nested_calls():
    source = "if True:\n    check(a) or check(b)\nf(x).ok and y\n"
    assert chained_calls(source, "t.py") == ["t.py:2", "t.py:3"]


def test_chained_calls_accepts_assertions_and_conditions():
    source = "assert f(a) and f(b)\nif f(a) and f(b):\n    pass\nok = f(a) and f(b)\na and b\n"
    assert chained_calls(source) == []


def test_no_test_chains_calls_with_and_or():
    found = []
    for path in sorted(TESTS.rglob("*.py")):
        found += chained_calls(path.read_text(), str(path.relative_to(TESTS.parent)))
    assert found == [], "boolean chains of calls (only the first call may run): " + ", ".join(found)
