"""The kernel's side of a hidden test while grading: compute, never judge.

The grader (:mod:`autograder.judge`, driven by :class:`autograder.guard.GuardedExecute`) sends
a request naming the student's answer (a name in the notebook's namespace) and the calls to make
on it, as :mod:`autograder.plain` data. :func:`run` makes the calls and answers, again as plain
data, with for each call what it returned (or the exception's type name and message) and the
arguments as they were after the call (for answers that change their inputs or draw from an rng).

Nothing here decides a score, so nothing here needs protecting: a kernel that lies only changes
what the grader thinks the student's function returned.
"""

from __future__ import annotations

import os

import numpy as np

from autograder import plain
from autograder.core import GRADER_JUDGES


def begin():
    """Called by the grader before a notebook runs: hidden checks only compute from now on."""
    os.environ[GRADER_JUDGES] = "1"
    return ""


def _describe(value):
    t = type(value)
    return f"{t.__module__}.{t.__qualname__}" if t.__module__ != "builtins" else t.__qualname__


def _plain_or_none(value, extras=()):
    """``value`` if it is plain data, else None (with the reason)."""
    try:
        plain.encode(value, extras)
    except plain.NotPlain as exc:
        return None, str(exc)
    except Exception as exc:  # noqa: BLE001 - e.g. MemoryError: too big to send is not plain
        return None, f"a value that could not be encoded ({type(exc).__name__})"
    return value, ""


def _one_call(fn, args, kwargs, err):
    try:
        with np.errstate(**err):
            value = fn(*args, **kwargs)
    except Exception as exc:  # noqa: BLE001 - what the answer raised is part of its result
        out = {"raised": type(exc).__name__, "message": str(exc)[:2000]}
    else:
        ok, why = _plain_or_none(value)
        out = {"return": value} if why == "" else {"bad": why}
    after, why = _plain_or_none([list(args), dict(kwargs)], extras=("rng",))
    out["after"] = after
    return out


def run(namespace, request):
    """Make the calls of ``request`` (text from :func:`autograder.plain.encode`) on the answer."""
    req = plain.decode(request, extras=("ref", "rng"))
    answer = namespace.get(req["answer"], None) if req["answer"] in namespace else None
    if req["answer"] not in namespace:
        kind = "missing"
    elif not callable(answer):
        kind = f"a value of type {_describe(answer)}"
    else:
        kind = "function"
    results = []
    if kind == "function":
        for args, kwargs, err in req["calls"]:
            results.append(_one_call(answer, args, kwargs, err))
    return plain.encode({"answer": kind, "results": results}, extras=("rng",))
