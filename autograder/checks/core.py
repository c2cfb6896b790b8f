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
from types import ModuleType
from typing import Any

import numpy as np

from autograder.checks.messages import as_array, difference, fmt, inline, raised, sentence, shapes_only
from autograder.checks.verdict import KINDS, Verdict, as_verdict  # noqa: F401 - the check model's

#: Set (by :func:`autograder.inkernel.compute.begin`) in a kernel whose hidden tests the grader judges.
GRADER_JUDGES = "ANN_COURSE_GRADER_JUDGES"

__all__ = ["CheckFailed", "Verdict", "KINDS", "as_verdict", "Mistake", "Exercise", "Property",
           "case", "expect", "fmt", "difference", "blame_uses", "number_answer"]


class CheckFailed(AssertionError):
    """A check did not pass; the message says what was expected, what came back and why."""


def _close(got, expected, rtol, atol):
    """True when ``got`` matches ``expected`` in shape and value (tuples compared item-wise)."""
    return difference(got, expected, rtol, atol) is None


def expect(got: object, expected: object, call: str, rtol: float = 1e-6, atol: float = 1e-9,
           names: Sequence[str] | None = None) -> None:
    """Visible-test assertion: ``got`` must match ``expected``; ``call`` says what was computed.

    ``names`` names the items of a tuple result (e.g. ``("dX", "dW", "db")``), so the message
    says which one is wrong.
    """
    __tracebackhide__ = True
    found = difference(got, expected, rtol, atol, names)
    if found:
        raise CheckFailed(f"{call}: {sentence(found)}")


#: What a failing :class:`Exercise` may draw: nothing, or its result against one input.
PLOTS = (None, "elementwise", "residual")

#: The most points a picture of a failing answer shows.
MAX_POINTS = 400


@dataclass(frozen=True)
class Case:
    """The arguments of one call."""

    args: tuple
    kwargs: dict = field(default_factory=dict)

    def copy(self) -> Case:
        return Case(copy.deepcopy(self.args), copy.deepcopy(self.kwargs))

    def describe(self, name: str, shapes: bool = False) -> str:
        """``name(args...)`` as a message shows the call (``shapes``: every array by its shape)."""
        show = shapes_only if shapes else inline
        parts = [show(a) for a in self.args] + [f"{k}={show(v)}" for k, v in self.kwargs.items()]
        return f"{name}({', '.join(parts)})"


def case(*args: Any, **kwargs: Any) -> Case:
    """Build a :class:`Case` from call arguments."""
    return Case(args, kwargs)


@dataclass(frozen=True)
class Mistake:
    """A plausible wrong answer and what to tell a student whose answer behaves like it."""

    wrong: Callable
    message: str

    @property
    def key(self) -> str:
        return self.wrong.__name__

    def source(self, name: str) -> str:
        """The wrong answer as notebook code defining a function called ``name``."""
        src = textwrap.dedent(inspect.getsource(self.wrong))
        lines = [ln for ln in src.splitlines() if not ln.lstrip().startswith("@")]
        head = lines[0].replace(f"def {self.wrong.__name__}(", f"def {name}(", 1)
        return "\n".join([head, *lines[1:]]) + "\n"


def _call(fn, c, strict, mine=None):
    """Call ``fn`` on a private copy of the case's arguments (``mine``, if given)."""
    c = mine or c.copy()
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
    grader judges the answer in its own process (:mod:`autograder.checks.judge`), from the results the
    kernel computed (:mod:`autograder.inkernel.compute`).
    """

    name: str
    mistakes: Sequence[Mistake]

    def __call__(self, student):
        __tracebackhide__ = True
        if os.environ.get(GRADER_JUDGES):
            return
        from autograder.checks.judge import judge_here  # the grader's judgement, run here

        message, _ = judge_here(self, self.function, {self.function: student})
        if message:
            raise CheckFailed(message)

    @property
    def function(self) -> str:
        """The name of the notebook function this check grades."""
        return getattr(self, "answer", None) or self.name

    def verdict(self, student: Any,  # pragma: no cover - every check defines it
                seed: int | None = None) -> Verdict | None:
        raise NotImplementedError

    def model_answer(self) -> Callable | None:
        """A right answer to plan the calls a verdict makes (None: no single right answer)."""
        return None

    def not_a_function(self, answer: str, kind: str) -> Verdict:
        """The verdict when the notebook's ``answer`` is missing or not a function."""
        if kind == "missing":
            return Verdict(f"`{answer}` is not defined: run its answer cell first.",
                           kind="not_a_function")
        return Verdict(f"`{answer}` should be a function, but it is {kind}.", kind="not_a_function")

    def all_mistakes(self) -> list[Mistake]:
        return list(self.mistakes)


def number_answer(student: Callable[[], Any], name: str,
                  kind: str = "a number") -> tuple[float | None, str | None]:
    """A prediction answered with one number: ``(value, None)``, or ``(None, message)`` when
    ``student()``, the answer called ``name``, returned something that is not a number (``kind``
    says what was wanted)."""
    answer = student()
    try:
        return float(answer), None
    except (TypeError, ValueError):
        return None, f"`{name}` should return {kind}, but it returned {fmt(answer)}."


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

    def model_answer(self) -> Callable | None:
        return self.model

    def verdict(self, student: Any, seed: int | None = None) -> Verdict | None:
        try:
            message = self.judge(student)
        except NotImplementedError:
            return Verdict(f"`{self.function}` is not implemented yet.", kind="not_implemented")
        if not message or isinstance(message, Verdict) and message.mistake:
            return message
        # a judge names a catalogued mistake by its message: the longest one it says
        named = [m for m in self.mistakes if m.message and m.message in message]
        found = max(named, key=lambda m: len(m.message), default=None)
        return Verdict(message, getattr(message, "plot", None),
                       kind="mistake" if found else getattr(message, "kind", "wrong"),
                       mistake=found.key if found else None)


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
    in_place : Mistake, optional
        Set when the prompt says to leave the arguments unchanged: the mistake to name when an
        answer changes an array it was given (:func:`autograder.checks.inputs.changed_argument`).
    uses : tuple of str
        Other exercises' functions this one calls in the solution (a mistake there may cascade:
        when they fail their own checks, the message says to fix them first).
    returns : tuple of str, optional
        The names of a tuple result's items, nested like it (e.g. ``("dX", "dW", "db")``), so a
        message names the wrong one; without it, items are named by position (``result[2]``).
    plot : {None, "elementwise", "residual"}
        A failing answer comes with a picture of it against the reference (:mod:`autograder.checks.figures`):
        ``"elementwise"`` when the result is an element-wise function of the first argument
        (activations and their derivatives), ``"residual"`` when it is one of
        ``y_pred - y_true``, the second argument minus the first (per-sample losses).
    """

    name: str
    reference: Callable
    cases: Callable[[np.random.Generator], Sequence[Case]]
    mistakes: Sequence[Mistake] = ()
    strict_cases: Callable | None = None
    unstable: Mistake | None = None
    in_place: Mistake | None = None
    uses: tuple = ()
    rtol: float = 1e-6
    atol: float = 1e-9
    seed: int = 20261125
    answer: str | None = None
    returns: tuple = ()
    plot: str | None = None

    def __post_init__(self):
        if self.plot not in PLOTS:
            raise ValueError(f"{self.name}: plot must be one of {sorted(PLOTS, key=str)}, "
                             f"not {self.plot!r}")

    def all_mistakes(self) -> list[Mistake]:
        return [*self.mistakes, *([self.unstable] if self.unstable else []),
                *([self.in_place] if self.in_place else [])]

    def model_answer(self) -> Callable | None:
        return self.reference

    def verdict(self, student: Any, seed: int | None = None) -> Verdict | None:
        """None when ``student`` is right, else the message a student should read.

        ``seed`` chooses the random cases (default: the check's own ``seed``); the grader draws
        a fresh one for every run.
        """
        if not callable(student):
            return Verdict(f"`{self.function}` should be a function, but it is "
                           f"{type(student).__name__}.", kind="not_a_function")
        rng = np.random.default_rng(self.seed if seed is None else seed)
        cases = list(self.cases(rng))
        results = []
        for c in cases:
            expected = _call(self.reference, c, strict=False)
            mine = c.copy()
            try:
                got = _call(student, c, strict=False, mine=mine)
            except NotImplementedError:
                return Verdict(f"`{self.function}` is not implemented yet.", kind="not_implemented")
            except Exception as exc:  # noqa: BLE001 - any student error becomes a message
                mistake = self._diagnose_raise(c, exc)
                lead = f"`{self.function}` is not right yet: {mistake.message} For example, " \
                    if mistake else ""
                what, about_shapes = raised(exc)
                return Verdict(f"{lead}{c.describe(self.function, shapes=about_shapes)} raised {what}",
                               kind="mistake" if mistake else "raised",
                               mistake=mistake.key if mistake else None)
            if self.in_place is not None:
                from autograder.checks.inputs import changed_argument

                changed = changed_argument(self.in_place.wrong, self.function, c, mine)
                if changed:
                    return Verdict(f"`{self.function}` is not right yet: {self.in_place.message} "
                                   f"{changed}", kind="mistake", mistake=self.in_place.key)
            results.append((c, expected, got))
        differences = ((c, difference(got, expected, self.rtol, self.atol, self.returns or None))
                       for c, expected, got in results)
        c, differs = next(((c, d) for c, d in differences if d), (None, None))  # type: ignore[assignment]
        if differs:
            mistake = self._diagnose(results)
            example = f"For example, {c.describe(self.function)}: {sentence(differs)}"
            lead = f"`{self.function}` is not right yet" + (f": {mistake.message}" if mistake else ".")
            return Verdict(f"{lead} {example}", plot=self._picture(results, c),
                           kind="mistake" if mistake else "wrong",
                           mistake=mistake.key if mistake else None)
        if self.strict_cases is not None:
            for c in self.strict_cases(rng):
                try:
                    _call(student, c, strict=True)
                except FloatingPointError as exc:
                    hint = self.unstable.message if self.unstable else "make it numerically stable."
                    return Verdict(f"`{self.function}` is not stable: {c.describe(self.function)} "
                                   f"raised FloatingPointError ({exc}). {hint}", kind="unstable",
                                   mistake=self.unstable.key if self.unstable else None)
        return None

    def _diagnose_raise(self, c, exc):
        """The mistake that raises the same error as the answer on case ``c``, if any."""
        for mistake in self.mistakes:
            try:
                _call(mistake.wrong, c, strict=False)
            except Exception as own:  # noqa: BLE001 - the error is what is compared
                if type(own).__name__ == type(exc).__name__ and str(own) == str(exc):
                    return mistake
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

    def _picture(self, results, first):
        """Plain data of a picture of the answer against the reference, or None.

        The points are those of every case called like ``first`` (same keyword arguments and,
        for ``"residual"``, the same size, so that they lie on one curve) whose result has its
        input's shape; None when none of them disagrees.
        """
        if self.plot is None:
            return None
        x_of = (lambda c: c.args[0]) if self.plot == "elementwise" else (
            lambda c: np.subtract(c.args[1], c.args[0]))
        try:
            size = np.size(x_of(first))
        except (TypeError, ValueError, IndexError):
            return None
        xs, es, gs = [], [], []
        for c, expected, got in results:
            if c.kwargs != first.kwargs:
                continue
            try:
                x = np.asarray(x_of(c), dtype=float)
                e = np.asarray(expected, dtype=float)
            except (TypeError, ValueError, IndexError):
                continue
            g = as_array(got)
            if g is None or not x.shape == e.shape == g.shape or (
                    self.plot == "residual" and x.size != size):
                continue
            xs.append(x.ravel())
            es.append(e.ravel())
            gs.append(g.ravel())
        if not xs:
            return None
        x, e, g = (np.concatenate(v)[:MAX_POINTS] for v in (xs, es, gs))
        if np.all(np.isclose(g, e, rtol=self.rtol, atol=self.atol, equal_nan=True)):
            return None
        order = np.argsort(x, kind="stable")
        keywords = "".join(f", {k}={fmt(v, 4)}" for k, v in first.kwargs.items())
        variable = "z" if self.plot == "elementwise" else "y_true, y_pred"
        return {"title": f"{self.function}({variable}{keywords})",
                "xlabel": "z" if self.plot == "elementwise" else "y_pred - y_true",
                "x": x[order].tolist(), "expected": e[order].tolist(), "got": g[order].tolist(),
                "rtol": self.rtol, "atol": self.atol}


def blame_uses(check: Check, verdict: Verdict, failing: Sequence[str]) -> Verdict:
    """``verdict``, led by the answers ``check`` builds on that fail their own checks.

    ``failing`` lists those of ``check.uses`` whose own check fails; the grader decides that in
    its own process (:mod:`autograder.grading.execution`), a learner's self-check in her kernel.
    """
    if not failing:
        return verdict
    names = ", ".join(f"`{u}`" for u in failing)
    several = len(failing) > 1
    lead = (f"This exercise builds on your {names}, which {'are' if several else 'is'} not right "
            f"yet: fix {'them' if several else 'it'} first (see {'their' if several else 'its'} "
            "own check), then come back here.")
    return Verdict(f"{lead} {verdict}", getattr(verdict, "plot", None),
                   kind=getattr(verdict, "kind", "wrong"), mistake=getattr(verdict, "mistake", None))


def checks_of_answer(checks_module: ModuleType, function: str) -> list[Check]:
    """The checks of a lesson that grade the notebook function ``function``."""
    return [c for c in vars(checks_module).values()
            if isinstance(c, Check) and c.function == function]
