"""The checking engine every lesson shares.

An :class:`Exercise` compares a student's function with the ``ann_lib`` reference on many inputs.
When they disagree it looks through the exercise's catalogue of :class:`Mistake` s (plausible wrong
implementations) and, if the student's answer behaves exactly like one of them, names it.

Hidden test cells call an exercise in one line, e.g. ``checks.weighted_sum(weighted_sum)``, so the
feedback never shows how the check works; :func:`expect` is the visible tests' assertion.
"""

from __future__ import annotations

import copy
import inspect
import os
import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

#: Set (by :func:`autograder.compute.begin`) in a kernel whose hidden tests the grader judges.
GRADER_JUDGES = "ANN_COURSE_GRADER_JUDGES"

__all__ = ["CheckFailed", "Mistake", "Exercise", "Property", "case", "expect", "fmt"]


class CheckFailed(AssertionError):
    """A check did not pass; the message says what was expected, what came back and why."""


def fmt(value, precision=6):
    """Short, readable representation of a value for messages."""
    if isinstance(value, np.ndarray):
        if value.ndim == 0:
            return fmt(value[()], precision)
        return np.array2string(value, precision=precision, threshold=12, edgeitems=3,
                               separator=", ")
    if isinstance(value, (float, np.floating)):
        return f"{float(value):.{precision}g}"
    if isinstance(value, tuple):
        return "(" + ", ".join(fmt(v, precision) for v in value) + ")"
    if callable(value) and hasattr(value, "__name__"):
        return value.__name__
    return repr(value)


def _close(got, expected, rtol, atol):
    """True when ``got`` matches ``expected`` in shape and value (tuples compared item-wise)."""
    if isinstance(expected, tuple):
        return (isinstance(got, (tuple, list)) and len(got) == len(expected)
                and all(_close(g, e, rtol, atol) for g, e in zip(got, expected)))
    if got is None:
        return False
    try:
        g = np.asarray(got, dtype=float)
    except (TypeError, ValueError):
        return False
    e = np.asarray(expected, dtype=float)
    if g.shape != e.shape:
        return False
    return bool(np.all(np.isclose(g, e, rtol=rtol, atol=atol, equal_nan=True)))


def _shape_note(got, expected):
    if isinstance(expected, tuple) or got is None:
        return ""
    try:
        gs, es = np.shape(got), np.shape(expected)
    except Exception:  # noqa: BLE001 - a ragged or exotic object: no shape to talk about
        return ""
    if gs != es:
        return f" The shapes differ: expected {es}, got {gs}."
    return ""


def expect(got, expected, call, rtol=1e-6, atol=1e-9):
    """Visible-test assertion: ``got`` must match ``expected``; ``call`` says what was computed."""
    __tracebackhide__ = True
    if got is None and expected is not None:
        raise CheckFailed(f"{call}: expected {fmt(expected)}, got None. "
                          "Did you forget the `return` statement?")
    if not _close(got, expected, rtol, atol):
        raise CheckFailed(f"{call}: expected {fmt(expected)}, got {fmt(got)}."
                          + _shape_note(got, expected))


@dataclass(frozen=True)
class Case:
    """The arguments of one call."""

    args: tuple
    kwargs: dict = field(default_factory=dict)

    def copy(self):
        return Case(copy.deepcopy(self.args), copy.deepcopy(self.kwargs))

    def describe(self, name):
        parts = [fmt(a, 4) for a in self.args] + [f"{k}={fmt(v, 4)}" for k, v in self.kwargs.items()]
        return f"{name}({', '.join(parts)})"


def case(*args, **kwargs):
    """Build a :class:`Case` from call arguments."""
    return Case(args, kwargs)


@dataclass(frozen=True)
class Mistake:
    """A plausible wrong answer and what to tell a student whose answer behaves like it."""

    wrong: Callable
    message: str

    @property
    def key(self):
        return self.wrong.__name__

    def source(self, name):
        """The wrong answer as notebook code defining a function called ``name``."""
        src = textwrap.dedent(inspect.getsource(self.wrong))
        lines = [ln for ln in src.splitlines() if not ln.lstrip().startswith("@")]
        head = lines[0].replace(f"def {self.wrong.__name__}(", f"def {name}(", 1)
        return "\n".join([head, *lines[1:]]) + "\n"


def _call(fn, c, strict):
    """Call ``fn`` on a private copy of the case's arguments."""
    c = c.copy()
    if strict:
        with np.errstate(all="raise"):
            return fn(*c.args, **c.kwargs)
    with np.errstate(all="ignore"):
        return fn(*c.args, **c.kwargs)


class Check:
    """A hidden test: calling it with the student's answer raises CheckFailed when it is wrong.

    ``name`` is unique within a lesson; ``answer`` is the name of the notebook function it grades
    (``name`` unless two checks grade the same function). While ``ann-course grade`` or
    ``ann-course check`` runs the notebook, the call in the hidden test cell does nothing: the
    grader judges the answer in its own process (:mod:`autograder.judge`), from the results the
    kernel computed (:mod:`autograder.compute`).
    """

    name: str
    mistakes: Sequence[Mistake]

    def __call__(self, student):
        __tracebackhide__ = True
        if os.environ.get(GRADER_JUDGES):
            return
        message = self.verdict(student)
        if message:
            raise CheckFailed(message)

    @property
    def function(self):
        """The name of the notebook function this check grades."""
        return getattr(self, "answer", None) or self.name

    def verdict(self, student, seed=None):  # pragma: no cover - every check defines it
        raise NotImplementedError

    def model_answer(self):
        """A right answer to plan the calls a verdict makes (None: no single right answer)."""
        return None

    def not_a_function(self, answer, kind):
        """The verdict when the notebook's ``answer`` is missing or not a function."""
        if kind == "missing":
            return f"`{answer}` is not defined: run its answer cell first."
        return f"`{answer}` should be a function, but it is {kind}."

    def all_mistakes(self):
        return list(self.mistakes)


@dataclass
class Property(Check):
    """A graded answer with no single right value (e.g. weights that make a gate).

    ``judge(student) -> str | None`` returns the message for a wrong answer, naming the mistake
    where it recognises one; every entry of ``mistakes`` must be recognised by ``judge``.
    ``model``, optional, is one right answer: the grader uses it only to plan, in one round trip
    to the kernel, the calls ``judge`` will make.
    """

    name: str
    judge: Callable
    mistakes: Sequence[Mistake] = ()
    uses: tuple = ()
    answer: str | None = None
    model: Callable | None = None

    def model_answer(self):
        return self.model

    def verdict(self, student, seed=None):
        try:
            return self.judge(student)
        except NotImplementedError:
            return f"`{self.function}` is not implemented yet."


@dataclass
class Exercise(Check):
    """A graded function: the student's answer must agree with ``reference`` on every case.

    Parameters
    ----------
    name : str
        The function's name in the notebook (also the answer cell's grade_id).
    reference : callable
        The ``ann_lib`` reference implementation.
    cases : callable
        ``cases(rng) -> list[Case]``: fixed edge cases plus random ones.
    mistakes : sequence of Mistake
        The catalogue of recognised wrong answers for this exercise.
    strict_cases : callable, optional
        ``strict_cases(rng) -> list[Case]`` run with floating-point errors raised (overflow at
        +-1000 and the like); a floating-point error there is reported as ``unstable``.
    unstable : Mistake, optional
        The mistake to name when a strict case raises a floating-point error.
    uses : tuple of str
        Other exercises' functions this one calls in the solution (a mistake there may cascade).
    """

    name: str
    reference: Callable
    cases: Callable[[np.random.Generator], Sequence[Case]]
    mistakes: Sequence[Mistake] = ()
    strict_cases: Callable | None = None
    unstable: Mistake | None = None
    uses: tuple = ()
    rtol: float = 1e-6
    atol: float = 1e-9
    seed: int = 20261125
    answer: str | None = None

    def all_mistakes(self):
        return [*self.mistakes, *([self.unstable] if self.unstable else [])]

    def model_answer(self):
        return self.reference

    def verdict(self, student, seed=None):
        """None when ``student`` is right, else the message a student should read.

        ``seed`` chooses the random cases (default: the check's own ``seed``); the grader draws
        a fresh one for every run.
        """
        if not callable(student):
            return f"`{self.function}` should be a function, but it is {type(student).__name__}."
        rng = np.random.default_rng(self.seed if seed is None else seed)
        cases = list(self.cases(rng))
        results = []
        for c in cases:
            expected = _call(self.reference, c, strict=False)
            try:
                got = _call(student, c, strict=False)
            except NotImplementedError:
                return f"`{self.function}` is not implemented yet."
            except Exception as exc:  # noqa: BLE001 - any student error becomes a message
                return (f"{c.describe(self.function)} raised {type(exc).__name__}: {exc}")
            results.append((c, expected, got))
        failures = [r for r in results if not _close(r[2], r[1], self.rtol, self.atol)]
        if failures:
            c, expected, got = failures[0]
            mistake = self._diagnose(results)
            example = (f"For example, {c.describe(self.function)} should return {fmt(expected)}, "
                       f"but yours returned {fmt(got)}.{_shape_note(got, expected)}")
            if got is None:
                example += " Did you forget the `return` statement?"
            if mistake:
                return f"`{self.function}` is not right yet: {mistake.message} {example}"
            return f"`{self.function}` is not right yet. {example}"
        if self.strict_cases is not None:
            for c in self.strict_cases(rng):
                try:
                    _call(student, c, strict=True)
                except FloatingPointError as exc:
                    hint = self.unstable.message if self.unstable else "make it numerically stable."
                    return (f"`{self.function}` is not stable: {c.describe(self.function)} raised "
                            f"FloatingPointError ({exc}). {hint}")
        return None

    def _diagnose(self, results):
        """The mistake whose outputs the student's answer reproduces on every case, if any."""
        for mistake in self.mistakes:
            try:
                wrong = [_call(mistake.wrong, c, strict=False) for c, _, _ in results]
            except Exception:  # noqa: BLE001 - this mistake cannot take these inputs
                continue
            if all(_close(got, w, self.rtol, self.atol) for (_, _, got), w in zip(results, wrong)):
                return mistake
        return None


def self_check(checks_module, namespace):
    """Run a lesson's hidden checks on the answers defined in ``namespace``; print a summary.

    This is what a lesson's last cell calls (``checks.self_check(globals())``): it tells a
    learner which exercises pass and why the others do not, without showing how checks work.
    Returns the number of exercises that pass (None while nbgrader grades: nothing to show).
    """
    if os.environ.get("NBGRADER_EXECUTION"):
        return None
    checks = [c for c in vars(checks_module).values() if isinstance(c, Check)]
    width = max([len("exercise")] + [len(c.name) for c in checks])
    passed = 0
    print(f"{'exercise':<{width}}  result")
    for check in checks:
        answer = namespace.get(check.function)
        if answer is None:
            verdict = f"`{check.function}` is not defined: run its answer cell first."
        else:
            try:
                verdict = check.verdict(answer)
            except Exception as exc:  # noqa: BLE001 - a broken answer must not break the summary
                verdict = f"{type(exc).__name__}: {exc}"
        passed += verdict is None
        print(f"{check.name:<{width}}  {'PASS' if verdict is None else 'FAIL'}")
        if verdict is not None:
            print(textwrap.fill(verdict, width=100, initial_indent=" " * (width + 8),
                                subsequent_indent=" " * (width + 8), break_long_words=False))
    print(f"\n{passed} of {len(checks)} exercises pass."
          + ("" if passed == len(checks) else " Fix the first failing one, re-run its cell, then this one."))
    return passed


def self_check_for(module_name):
    """The ``self_check(namespace)`` of the lesson whose checks live in ``module_name``."""
    import sys

    def check_all(namespace):
        """Check every exercise of this lesson on the answers in ``namespace`` (pass ``globals()``)."""
        return self_check(sys.modules[module_name], namespace)

    check_all.__name__ = check_all.__qualname__ = "self_check"
    return check_all
