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

from autograder.messages import as_array, difference, fmt, indent_message, inline, sentence

#: Set (by :func:`autograder.compute.begin`) in a kernel whose hidden tests the grader judges.
GRADER_JUDGES = "ANN_COURSE_GRADER_JUDGES"

__all__ = ["CheckFailed", "Verdict", "Mistake", "Exercise", "Property", "case", "expect", "fmt",
           "difference", "run_checks", "blame_uses"]


class CheckFailed(AssertionError):
    """A check did not pass; the message says what was expected, what came back and why."""


class Verdict(str):
    """A failing check's message, with the data of a picture of the mistake when it has one.

    ``plot`` is None or plain data (:func:`autograder.figures.png` draws it): the
    learner's values against the expected ones over the inputs, those that disagree marked.
    """

    plot = None

    def __new__(cls, message, plot=None):
        self = super().__new__(cls, message)
        self.plot = plot
        return self


def _close(got, expected, rtol, atol):
    """True when ``got`` matches ``expected`` in shape and value (tuples compared item-wise)."""
    return difference(got, expected, rtol, atol) is None


def expect(got, expected, call, rtol=1e-6, atol=1e-9, names=None):
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

    def copy(self):
        return Case(copy.deepcopy(self.args), copy.deepcopy(self.kwargs))

    def describe(self, name):
        parts = [inline(a) for a in self.args] + [f"{k}={inline(v)}" for k, v in self.kwargs.items()]
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
        Other exercises' functions this one calls in the solution (a mistake there may cascade:
        when they fail their own checks, the message says to fix them first).
    returns : tuple of str, optional
        The names of a tuple result's items, nested like it (e.g. ``("dX", "dW", "db")``), so a
        message names the wrong one; without it, items are named by position (``result[2]``).
    plot : {None, "elementwise", "residual"}
        A failing answer comes with a picture of it against the reference (:mod:`autograder.figures`):
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
        differences = ((c, difference(got, expected, self.rtol, self.atol, self.returns or None))
                       for c, expected, got in results)
        c, differs = next(((c, d) for c, d in differences if d), (None, None))
        if differs:
            mistake = self._diagnose(results)
            example = f"For example, {c.describe(self.function)}: {sentence(differs)}"
            lead = f"`{self.function}` is not right yet" + (f": {mistake.message}" if mistake else ".")
            return Verdict(f"{lead} {example}", plot=self._picture(results, c))
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


def self_check(checks_module, namespace):
    """Run a lesson's hidden checks on the answers defined in ``namespace``; show a summary.

    This is what a lesson's last cell calls (``checks.self_check(globals())``): it tells a
    learner which exercises pass and why the others do not (with a picture where one says it
    faster), without showing how checks work. It shows the table and returns None, so the cell
    shows nothing else; :func:`run_checks` gives the verdicts themselves. While nbgrader grades,
    it does nothing.
    """
    if os.environ.get("NBGRADER_EXECUTION"):
        return
    verdicts = run_checks(checks_module, namespace)
    width = max([len("exercise")] + [len(c.name) for c, _ in verdicts])
    print(f"{'exercise':<{width}}  result")
    for check, verdict in verdicts:
        print(f"{check.name:<{width}}  {'PASS' if verdict is None else 'FAIL'}")
        if verdict is not None:
            print(indent_message(verdict, width + 8))
            if verdict.plot is not None:
                _show_picture(verdict.plot)
    passed = sum(v is None for _, v in verdicts)
    advice = "" if passed == len(verdicts) else " Fix the first failing one, re-run its cell, then this one."
    print(f"\n{passed} of {len(verdicts)} exercises pass.{advice}")


def run_checks(checks_module, namespace):
    """``[(check, verdict), ...]``: every check of a lesson on the answers in ``namespace``.

    A verdict is None (right) or a :class:`Verdict`; a failing answer that builds on another
    failing one says so first (:func:`blame_uses`).
    """
    verdicts = []
    for check in (c for c in vars(checks_module).values() if isinstance(c, Check)):
        answer = namespace.get(check.function)
        if answer is None:
            verdict = check.not_a_function(check.function, "missing")
        else:
            try:
                verdict = check.verdict(answer)
            except Exception as exc:  # noqa: BLE001 - a broken answer must not break the summary
                verdict = f"{type(exc).__name__}: {exc}"
        verdicts.append((check, verdict if verdict is None
                         else Verdict(verdict, getattr(verdict, "plot", None))))
    failing = {c.function for c, v in verdicts if v is not None}
    return [(c, v if v is None else blame_uses(c, v, [u for u in c.uses if u in failing]))
            for c, v in verdicts]


def blame_uses(check, verdict, failing):
    """``verdict``, led by the answers ``check`` builds on that fail their own checks.

    ``failing`` lists those of ``check.uses`` whose own check fails; the grader decides that in
    its own process (:mod:`autograder.guard`), a learner's self-check in her kernel.
    """
    if not failing:
        return verdict
    names = ", ".join(f"`{u}`" for u in failing)
    several = len(failing) > 1
    lead = (f"This exercise builds on your {names}, which {'are' if several else 'is'} not right "
            f"yet: fix {'them' if several else 'it'} first (see {'their' if several else 'its'} "
            "own check), then come back here.")
    return Verdict(f"{lead} {verdict}", getattr(verdict, "plot", None))


def checks_of_answer(checks_module, function):
    """The checks of a lesson that grade the notebook function ``function``."""
    return [c for c in vars(checks_module).values()
            if isinstance(c, Check) and c.function == function]


def _show_picture(plot):
    """Show a verdict's picture under its message, in a learner's notebook (not elsewhere)."""
    try:
        from IPython import get_ipython
        from IPython.display import Image, display
    except ImportError:  # pragma: no cover - no IPython: no notebook to show it in
        return
    if get_ipython() is None:  # plain Python: the message is enough
        return
    from autograder.figures import png

    display(Image(data=png(plot)))


def self_check_for(module_name):
    """The ``self_check(namespace)`` of the lesson whose checks live in ``module_name``."""
    import sys

    def check_all(namespace):
        """Check every exercise of this lesson on the answers in ``namespace`` (pass ``globals()``)."""
        return self_check(sys.modules[module_name], namespace)

    check_all.__name__ = check_all.__qualname__ = "self_check"
    return check_all
