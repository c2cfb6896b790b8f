"""The grader's side of a hidden test: judge, in the grader's own process, what a kernel computed.

A check (:class:`autograder.checks.core.Check`) is written as if it called the student's function
itself: ``check.verdict(student, seed)``. To grade, :class:`Judgement` runs that same verdict with a
*stand-in* for the student's function. Each call of the stand-in is answered from what the kernel
returned for that call (:mod:`autograder.inkernel.compute`), as plain data (:mod:`autograder.checks.plain`):
the return value, or the exception raised (re-raised here under the same name), and the
arguments as they were after the call (copied back, so an answer that changes its inputs or draws
from an rng is seen doing so). A call the kernel was not yet asked about stops the verdict; the
grader asks the kernel, then runs the verdict again from the start (the verdict is deterministic
for a given seed, and a call is identified by its position and its arguments).

Before the first run, the calls a right answer would cause are planned by running the verdict on
the check's model answer (the reference of an :class:`~autograder.checks.core.Exercise`), so that most
checks need a single round trip to the kernel.

The verdict's message (or None) is the cell's result: nothing the kernel says about itself counts.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import numpy as np

from autograder.checks import plain
from autograder.checks.calls import run
from autograder.checks.verdict import Verdict

#: The most round trips to the kernel one judgement may take.
MAX_ROUNDS = 64


class _NeedCall(BaseException):
    """Raised by the stand-in for a call whose result is not known yet (BaseException: a check's
    ``except Exception`` around the student's call must not swallow it)."""

    def __init__(self, call):
        super().__init__()
        self.call = call


class NotPlainData:
    """What the stand-in returns when the kernel said the answer returned something else."""

    def __init__(self, what):
        self.what = what

    def __repr__(self):
        return f"<{self.what}, not plain data (numbers, NumPy arrays, tuples or lists of them)>"


#: The kernel's exceptions the grader re-raises as themselves (so that a judge reads NumPy's
#: shape errors as the ValueErrors they are); any other name gets a new class of that name
#: (KeyError too: its text is its message's repr, so it would not read as the kernel's).
_BUILTIN_ERRORS = (NotImplementedError, FloatingPointError, ValueError, TypeError, IndexError,
                   ZeroDivisionError, AttributeError, NameError, AssertionError,
                   OverflowError, RuntimeError, RecursionError)


def _exception(name, message):
    """An exception like the one the kernel reported (its type name and message)."""
    known = {cls.__name__: cls for cls in _BUILTIN_ERRORS}
    name = str(name)
    cls = known.get(name)
    if cls is None:
        safe = name if name.isidentifier() and len(name) <= 80 else "Exception"
        cls = type(safe, (Exception,), {"__module__": "builtins"})
    return cls(str(message)[:2000])


def _copy_back(original, after, undo):
    """Make the arguments the check holds look as they did in the kernel after the call.

    Every object changed is first recorded in ``undo`` (see :func:`_undo`): a check's arguments
    may be data the grader keeps for later jobs (a cached data set, a module's example).
    """
    if isinstance(original, np.ndarray) and isinstance(after, np.ndarray):
        if original.shape == after.shape and original.flags.writeable:
            undo.append((original, original.copy()))
            np.copyto(original, after, casting="unsafe")
    elif isinstance(original, np.random.Generator) and isinstance(after, np.random.Generator):
        undo.append((original, original.bit_generator.state))
        original.bit_generator.state = after.bit_generator.state
    elif isinstance(original, list) and isinstance(after, list):
        undo.append((original, list(original)))
        if len(original) != len(after):
            original[:] = after
            return
        for i, (o, a) in enumerate(zip(original, after)):
            if isinstance(o, (np.ndarray, np.random.Generator, list, tuple, dict)):
                _copy_back(o, a, undo)
            elif type(o) is not type(a) or o != a:
                original[i] = a
    elif isinstance(original, tuple) and isinstance(after, (tuple, list)):
        for o, a in zip(original, after):
            _copy_back(o, a, undo)
    elif isinstance(original, dict) and isinstance(after, dict):
        undo.append((original, dict(original)))
        for k in original:
            if k in after:
                if isinstance(original[k], (np.ndarray, np.random.Generator, list, tuple, dict)):
                    _copy_back(original[k], after[k], undo)
                else:
                    original[k] = after[k]


def _undo(undo):
    """Put back, newest first, what :func:`_copy_back` changed: nothing a kernel returned stays
    in the grader's objects once a verdict is done."""
    for original, saved in reversed(undo):
        if isinstance(original, np.ndarray):
            np.copyto(original, saved)
        elif isinstance(original, np.random.Generator):
            original.bit_generator.state = saved
        elif isinstance(original, list):
            original[:] = saved
        else:
            original.clear()
            original.update(saved)
    undo.clear()


class _Call:
    """One call of the student's function: its arguments and the floating-point error mode."""

    def __init__(self, args, kwargs):
        self.args, self.kwargs = copy.deepcopy(args), copy.deepcopy(kwargs)
        self.err = dict(np.geterr())
        self.key = plain.fingerprint([list(args), dict(kwargs), self.err])

    def request(self) -> list[Any]:
        return [list(self.args), dict(self.kwargs), self.err]


class _StandIn:
    """The student's function as the check sees it, answered from the kernel's results."""

    def __init__(self, known):
        self.known = known  # [(key, result dict)] in call order
        self.count = 0
        self.undo = []  # what the calls changed in the check's arguments, to put back

    def __call__(self, *args, **kwargs):
        __tracebackhide__ = True
        call = _Call(args, kwargs)
        k = self.count
        self.count += 1
        if k >= len(self.known) or self.known[k][0] != call.key:
            del self.known[k:]
            raise _NeedCall(call)
        result = self.known[k][1]
        after = result.get("after")
        if isinstance(after, list) and len(after) == 2:
            _copy_back(list(args), after[0], self.undo)  # a new list; its items are the check's
            _copy_back(kwargs, after[1], self.undo)
        if "raised" in result:
            exc = _exception(result["raised"], result.get("message", ""))
            exc.from_answer = True
            raise exc
        if "bad" in result:
            return NotPlainData(str(result["bad"])[:200])
        return result.get("return")


class _Planner:
    """Stands in for the student with the model answer and writes down the calls it gets."""

    def __init__(self, model):
        self.model = model
        self.calls = []

    def __call__(self, *args, **kwargs):
        self.calls.append(_Call(args, kwargs))
        return self.model(*args, **kwargs)


def _holds_function(value):
    if callable(value):
        return True
    if isinstance(value, (list, tuple)):
        return any(_holds_function(v) for v in value)
    if isinstance(value, dict):
        return any(_holds_function(v) for v in value.values())
    return False


def _no_function_returned(result):
    """``result``, unless it says the answer returned a function: named references come back
    only among the call's arguments (``after``), never as what an answer returned."""
    if "return" in result and _holds_function(result["return"]):
        return {**{k: v for k, v in result.items() if k != "return"}, "bad": "a function"}
    return result


class KernelAnswerError(RuntimeError):
    """The kernel's answer to the grader was not well-formed (message says how)."""


class Judgement:
    """One check judged on one answer of a notebook, step by step.

    ``step()`` returns either ``("ask", request)``: send the request text to the kernel
    (:func:`autograder.inkernel.compute.run`) and pass its reply to :meth:`take`; or ``("done", verdict)``:
    the verdict (None: the answer is right).
    """

    def __init__(self, check, answer, seed):
        self.check, self.answer, self.seed = check, answer, seed
        self.known = []
        self.pending = self._plan()
        self.kind = None
        self.rounds = 0
        self.used = set()  # those of the check's ``uses`` the answer called (kernel's word)

    def _plan(self):
        model = self.check.model_answer()
        if model is None:
            return []
        planner = _Planner(model)
        try:
            self.check.verdict(planner, seed=self.seed)
        except Exception:  # noqa: BLE001 - a plan is only a guess at the calls; verdict decides
            pass
        return planner.calls

    def _request(self):
        self.rounds += 1
        calls = [c.request() for c in self.pending]
        return "ask", plain.encode({"answer": self.answer, "calls": calls,
                                    "watch": list(getattr(self.check, "uses", ()))},
                                   extras=("ref", "rng"))

    def step(self) -> tuple[str, Any]:
        if self.kind is None:
            return self._request()
        if self.kind != "function":
            return "done", self.check.not_a_function(self.answer, self.kind)
        if self.rounds > MAX_ROUNDS:
            return "done", Verdict(f"`{self.answer}` could not be checked: the check needed too "
                                   "many calls.", kind="error")
        student = _StandIn(self.known)
        try:
            return "done", self.check.verdict(student, seed=self.seed)
        except _NeedCall as need:
            self.pending = [need.call]
            return self._request()
        except Exception as exc:  # noqa: BLE001 - what the answer raised or returned broke the check
            if getattr(exc, "from_answer", False):
                return "done", Verdict(f"`{self.answer}` raised {type(exc).__name__}: {exc}",
                                       kind="raised")
            return "done", Verdict(f"`{self.answer}` is not right yet: checking what it returned "
                                   f"failed with {type(exc).__name__}: {exc}")
        finally:
            _undo(student.undo)

    def take(self, reply: str) -> None:
        """Take the kernel's reply (text) to the last request; raises KernelAnswerError."""
        try:
            data = plain.decode(reply, extras=("rng", "ref"))
        except plain.NotPlain as exc:
            raise KernelAnswerError(f"the kernel's answer is not plain data: {exc}") from None
        if not (isinstance(data, dict) and isinstance(data.get("answer"), str)
                and isinstance(data.get("results"), list)):
            raise KernelAnswerError("the kernel's answer does not have the expected structure")
        self.kind = data["answer"][:200]
        used = data.get("used", [])
        if isinstance(used, list):
            self.used |= {u for u in used if u in getattr(self.check, "uses", ())}
        if self.kind != "function":
            return
        results = data["results"]
        if len(results) != len(self.pending) or not all(isinstance(r, dict) for r in results):
            raise KernelAnswerError(f"the kernel answered {len(results)} calls out of "
                                    f"{len(self.pending)}")
        self.known += [(c.key, _no_function_returned(r)) for c, r in zip(self.pending, results)]
        self.pending = []


def judge(check: Any, answer: str, seed: int | None, ask: Callable[[str], str]) -> Verdict | None:
    """The verdict of ``check`` on the notebook's ``answer``, asking ``ask(request) -> reply``."""
    return judged(check, answer, seed, ask)[0]


def judged(
    check: Any, answer: str, seed: int | None, ask: Callable[[str], str],
) -> tuple[Verdict | None, set[str]]:
    """``(verdict, used)``: :func:`judge`'s verdict and those of ``check.uses`` the answer called."""
    j = Judgement(check, answer, seed)
    while True:
        what, value = j.step()
        if what == "done":
            return value, j.used
        j.take(ask(value))


def judge_here(check: Any, answer: str, namespace: dict[str, Any],
               seed: int | None = None) -> tuple[Any, set[str]]:
    """``(verdict, used)`` of ``check`` on ``namespace[answer]``, the calls made in this process
    by :func:`autograder.checks.calls.run` as the grading kernel makes them."""
    return judged(check, answer, seed, lambda request: run(namespace, request))
