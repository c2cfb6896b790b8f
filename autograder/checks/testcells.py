"""A lesson's test cells as the grader sees them: how a cell's verdicts combine, how a row is named.

One implementation, shared by the grader (:class:`autograder.grading.execution.GuardedExecute`,
which asks the grading kernel for the results) and a learner's self-check (:func:`self_check`,
which makes the calls in her own kernel, in her own process, the same way): both judge every check
with :mod:`autograder.checks.judge` from what :func:`autograder.checks.calls.run` computed, combine
a cell's checks with :func:`cell_verdicts`, and name a row with :func:`row_label`; the
self-check also runs each cell's visible asserts (:func:`visible_verdict`), as the grading kernel
runs the cell before its hidden calls are judged. So the
self-check and ``ann-course check`` give the same verdict, row by row, under the same names. Which
checks each test cell calls is the course's word (:func:`autograder.lessons.hidden_tests`), given.
"""

from __future__ import annotations

import contextlib
import io
import os
from collections.abc import Callable, Generator, Iterable
from types import ModuleType
from typing import Any

from autograder.checks.core import Check, Verdict, blame_uses, checks_of_answer
from autograder.checks.judge import judge_here
from autograder.checks.messages import indent_message

#: A test cell's hidden calls: ``[(check attribute, answer name), ...]``.
Calls = list[tuple[str, str]]


def exercise_of(test_id: str, names: Iterable[str]) -> str:
    """The exercise (answer grade_id) a test cell belongs to: ``test_<name>`` or ``test_<name>_*``."""
    matches = [n for n in names if test_id == f"test_{n}" or test_id.startswith(f"test_{n}_")]
    return max(matches, key=len) if matches else test_id


def row_label(grade_id: str, exercise: str) -> str:
    """How a report names a test cell's row: ``sigmoid``, or ``sigmoid (test_sigmoid_stable)``."""
    return exercise if grade_id == f"test_{exercise}" else f"{exercise} ({grade_id})"


def cell_verdicts(module: ModuleType, calls: Calls) -> Generator[tuple[Any, str], Any, list]:
    """Judge one test cell: a generator of the judgements to make, returning the failing verdicts.

    It yields ``(check, answer)`` and is sent back ``(verdict, used)``
    (:func:`autograder.checks.judge.judged`);
    when it stops, its value is the list of failing verdicts (empty: the cell keeps its points).
    A failing answer that builds on another answer says so first, but only when the answer
    called that other one (``used``) and the other fails its own check.
    """
    verdicts = []
    for attr, answer in calls:
        check = getattr(module, attr, None)
        if not isinstance(check, Check):
            verdicts.append(Verdict(f"the grader has no check named {attr}", kind="error"))
            continue
        verdict, used = yield check, answer
        uses = getattr(check, "uses", ())
        if verdict and uses:
            failing = []
            for name in (u for u in uses if u in used):
                for other in checks_of_answer(module, name):
                    other_verdict, _ = yield other, name
                    if other_verdict:
                        failing.append(name)
                        break
            verdict = blame_uses(check, verdict, failing)
        if verdict:
            typed = Verdict(verdict)  # a Verdict keeps its plot, kind and mistake
            typed.plot = getattr(verdict, "plot", None)
            typed.check = check  # type: ignore[attr-defined] # whose verdict (the rows' diagnosis)
            verdicts.append(typed)
    return verdicts


def drive(cell: Generator[tuple[Any, str], Any, list], judged: Callable[..., Any]) -> list:
    """Run :func:`cell_verdicts` ``cell`` to its end, ``judged(check, answer) -> (verdict, used)``."""
    try:
        request = next(cell)
        while True:
            request = cell.send(judged(*request))
    except StopIteration as done:
        return done.value


def rows(module: ModuleType, tests: dict[str, Calls]) -> list[tuple[str, str, Calls]]:
    """``[(grade_id, label, calls), ...]``: the test cells ``tests`` (``{grade_id: calls}``, in
    order) of ``module``'s lesson, each with its row's name."""
    names = sorted({answer for calls in tests.values() for _, answer in calls}
                   | {c.function for c in vars(module).values() if isinstance(c, Check)})
    return [(gid, row_label(gid, exercise_of(gid, names)), calls) for gid, calls in tests.items()]


def visible_verdict(code: str, namespace: dict[str, Any]) -> Verdict | None:
    """The verdict of a test cell's visible asserts ``code`` on the answers in ``namespace``.

    The grader's kernel runs a test cell whole (its visible asserts may fail it, whatever the
    hidden checks say); so does this, on a copy of ``namespace`` (the cell's variables stay out
    of the learner's), its prints kept out of the table. None when it runs cleanly.
    """
    if not code.strip():
        return None
    scope = dict(namespace)
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            exec(compile(code, "<the test cell's visible tests>", "exec"), scope)  # noqa: S102 - the course's own test cell
    except NameError as exc:  # a cell above it was not run in this kernel (the grader runs all)
        return Verdict(f"NameError: {exc} (run the cells above this test first, then "
                       "this one)", kind="raised")
    except Exception as exc:  # noqa: BLE001 - what failed the cell is the verdict
        return Verdict(f"{type(exc).__name__}: {exc}", kind="raised")
    return None


def local_verdicts(module: ModuleType, namespace: dict[str, Any], tests: dict[str, Calls],
                   seed: int | None = None,
                   visible: dict[str, str] | None = None) -> list[tuple[str, list]]:
    """``[(label, [failing verdicts])]`` of every test cell of ``tests``, judged on the answers in
    ``namespace``: the grader's judgement (:mod:`autograder.checks.judge`), with the calls made here
    by :func:`autograder.checks.calls.run`, as the grading kernel makes them.

    ``visible`` (``{grade_id: visible asserts}``), if given, is run first, as the grading kernel
    runs the cell before the grader judges its hidden calls (:func:`visible_verdict`); without
    it, only the hidden checks are judged.
    """
    out = []
    for gid, label, calls in rows(module, tests):
        found = visible_verdict(visible.get(gid, ""), namespace) if visible else None
        hidden = drive(cell_verdicts(module, calls),
                       lambda check, answer: judge_here(check, answer, namespace, seed))
        out.append((label, [found, *hidden] if found else hidden))
    return out


#: How far a failing row's message is indented under it.
MESSAGE_INDENT = 6


def self_check(module: ModuleType, namespace: dict[str, Any], tests: dict[str, Calls],
               visible: dict[str, str] | None = None) -> None:
    """Show which test cells ``tests`` of a lesson pass on the answers in ``namespace``, and why not.

    What a lesson's last cell calls (``checks.self_check(globals())``, made by
    :func:`autograder.lessons.self_check_for`); while nbgrader grades, it does nothing. Rows are
    named as ``ann-course check`` names them. ``visible`` (``{grade_id: visible asserts}``): the
    test cells' visible asserts, judged with the hidden checks as the grader judges a cell.
    """
    if os.environ.get("NBGRADER_EXECUTION"):
        return
    results = local_verdicts(module, namespace, tests, visible=visible)
    width = max([len("exercise")] + [len(label) for label, _ in results])
    print(f"{'exercise':<{width}}  result")
    for label, verdicts in results:
        print(f"{label:<{width}}  {'FAIL' if verdicts else 'PASS'}")
        for verdict in verdicts:
            print(indent_message(verdict, MESSAGE_INDENT))
            if getattr(verdict, "plot", None) is not None:
                _show_picture(verdict.plot)
    passed = sum(not v for _, v in results)
    advice = "" if passed == len(results) else " Fix the first failing one, re-run its cell, then this one."
    print(f"\n{passed} of {len(results)} tests pass.{advice}")


def _show_picture(plot):
    """Show a verdict's picture under its message, in a learner's notebook (not elsewhere)."""
    try:
        from IPython import get_ipython
        from IPython.display import Image, display
    except ImportError:  # pragma: no cover - no IPython: no notebook to show it in
        return
    if get_ipython() is None:  # plain Python: the message is enough
        return
    from autograder.checks.figures import png

    display(Image(data=png(plot)))


__all__ = ["exercise_of", "row_label", "cell_verdicts", "drive", "rows",
           "visible_verdict", "local_verdicts", "self_check", "Verdict"]
