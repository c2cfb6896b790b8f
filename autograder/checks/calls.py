"""Making the calls a judgement asks for on a notebook's answer, and answering as plain data.

One implementation, run in two places: in a grading kernel (:mod:`autograder.inkernel.compute`,
which the grader asks) and in a learner's own kernel by her self-check
(:func:`autograder.checks.testcells.judge_here`). A request (text from
:func:`autograder.checks.plain.encode`, made by :class:`autograder.checks.judge.Judgement`) names
the answer (a name in the notebook's namespace) and the calls to make on it; the reply gives for
each call what it returned (or the exception's type name and message) and the arguments as they
were after the call (for answers that change their inputs or draw from an rng), and which of the
notebook functions named under ``"watch"`` the calls used.

Nothing here decides a score.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograder.checks import plain


def _describe(value):
    t = type(value)
    return f"{t.__module__}.{t.__qualname__}" if t.__module__ != "builtins" else t.__qualname__


def _plain_or_none(value, extras=()):
    """``value`` if it is plain data, else None (with the reason)."""
    try:
        plain.check(value, extras)
    except plain.NotPlain as exc:
        return None, str(exc)
    except Exception as exc:  # noqa: BLE001 - e.g. MemoryError: too big to send is not plain
        return None, f"a value that could not be encoded ({type(exc).__name__})"
    return value, ""


def _one_call(fn, args, kwargs, err, after=True):
    try:
        with np.errstate(**err):
            value = fn(*args, **kwargs)
    except Exception as exc:  # noqa: BLE001 - what the answer raised is part of its result
        out = {"raised": type(exc).__name__, "message": str(exc)[:2000]}
    else:
        ok, why = _plain_or_none(value)
        out = {"return": value} if why == "" else {"bad": why}
    # the grader's own named functions among the arguments come back as the same references
    if after:
        out["after"], why = _plain_or_none([list(args), dict(kwargs)], extras=("rng", "ref"))
    return out


def _watching(namespace, names, used):
    """Swap the notebook functions ``names`` for wrappers that add their name to ``used`` when called.

    Returns a function that puts the originals back. The answer finds its helpers in the notebook's
    namespace when it runs, so this tells which of them a call of the answer actually used.
    """
    import functools

    def counted(name, fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            used.add(name)
            return fn(*args, **kwargs)
        return wrapper

    originals = {}
    for name in names:
        fn = namespace.get(name) if isinstance(name, str) else None
        if callable(fn):
            originals[name] = fn
            namespace[name] = counted(name, fn)

    def restore():
        for name, fn in originals.items():
            namespace[name] = fn
    return restore


def run(namespace: dict[str, Any], request: str) -> str:
    """Make the calls of ``request`` (text from :func:`autograder.checks.plain.encode`) on the answer.

    ``request`` may name, under ``"watch"``, other notebook functions: the reply's ``"used"``
    lists those the calls used (the check builds on them only then); ``"after": False`` leaves
    the arguments out of the reply (the lesson's figures, :mod:`autograder.outputs.feedback_figures`).
    """
    req = plain.decode(request, extras=("ref", "rng"))
    answer = namespace.get(req["answer"], None) if req["answer"] in namespace else None
    if req["answer"] not in namespace:
        kind = "missing"
    elif not callable(answer):
        kind = f"a value of type {_describe(answer)}"
    else:
        kind = "function"
    results: list = []
    used: set[str] = set()
    if kind == "function":
        watch = [w for w in req.get("watch", []) if w != req["answer"]]
        restore = _watching(namespace, watch, used)
        try:
            for args, kwargs, err in req["calls"]:
                results.append(_one_call(answer, args, kwargs, err, req.get("after", True)))
        finally:
            restore()
    return plain.encode({"answer": kind, "results": results, "used": sorted(used)},
                        extras=("rng", "ref"))
