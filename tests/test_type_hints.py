"""Every public function of ``autograder`` and ``ann_lib`` is typed (``make test`` runs mypy on
the annotations first): module-level functions and the methods of module-level classes whose name
does not start with ``_``, each parameter (but ``self``/``cls``) and the return value annotated.

A catalogued mistake's function (the first argument of a ``Mistake(...)``) is exempt: it is a
student's answer written as the notebook writes it, the solution's untyped signature with one
line changed (its source becomes a sample submission, where ``Sequence`` would not even be
defined; ``tests/autograder/lessons/test_lessons.py`` counts the changed lines).
"""

import ast

import pytest

from autograder.settings import REPO

MODULES = sorted(str(p.relative_to(REPO)) for package in ("autograder", "ann_lib")
                 for p in (REPO / package).rglob("*.py"))


def untyped(source):
    """The public functions of ``source`` that lack an annotation, by name."""
    tree = ast.parse(source)
    functions = [n for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
    for cls in (n for n in tree.body if isinstance(n, ast.ClassDef)):
        functions += [n for n in cls.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
    mistakes = {arg.id for call in ast.walk(tree) if isinstance(call, ast.Call)
                and getattr(call.func, "id", getattr(call.func, "attr", None)) == "Mistake"
                for arg in [*call.args[:1], *(k.value for k in call.keywords if k.arg == "wrong")]
                if isinstance(arg, ast.Name)}
    missing = []
    for f in functions:
        if f.name.startswith("_") or f.name in mistakes:
            continue
        a = f.args
        params = [p for p in [*a.posonlyargs, *a.args, *a.kwonlyargs, a.vararg, a.kwarg]
                  if p is not None and p.arg not in ("self", "cls")]
        if f.returns is None or any(p.annotation is None for p in params):
            missing.append(f.name)
    return missing


def test_the_reader_finds_an_unannotated_parameter_or_return():
    assert untyped("def f(x: int) -> int: ...\ndef g(x) -> int: ...\ndef h(x: int): ...\n"
                   "def _private(x): ...\nclass C:\n    def m(self, y: str) -> None: ...\n"
                   "    def n(self, *args): ...\n") == ["g", "h", "n"]


def test_a_catalogued_mistake_is_exempt_and_nothing_else_is():
    assert untyped("def slip(x): ...\ndef other(x): ...\ndef kw(x): ...\n"
                   "m = [Mistake(slip, 'why'), core.Mistake(wrong=kw, message='why'), f(other)]\n"
                   ) == ["other"]


@pytest.mark.parametrize("module", MODULES)
def test_public_functions_are_typed(module):
    assert untyped((REPO / module).read_text()) == []

