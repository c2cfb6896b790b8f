"""A failing check's verdict: its message, what kind of failure it is, the mistake it names.

One small module, so that the check model (:mod:`autograder.checks.core`) and the judgement
(:mod:`autograder.checks.judge`) share it without importing each other.
"""

from __future__ import annotations


class Verdict(str):
    """A failing check's message, with the data of a picture of the mistake when it has one.

    ``plot`` is None or plain data (:func:`autograder.checks.figures.png` draws it): the
    learner's values against the expected ones over the inputs, those that disagree marked.
    ``kind`` says what failed (one of :data:`KINDS`) and ``mistake`` is the key of the
    catalogued :class:`Mistake` the answer reproduces, if any: the grader carries both to the
    grade rows (:mod:`autograder.outputs.diagnosis`), so the report counts verdicts, not message texts.
    """

    plot = None
    kind = "wrong"
    mistake = None

    def __new__(cls, message, plot=None, kind=None, mistake=None):
        self = super().__new__(cls, message)
        self.plot = plot
        self.kind = kind or getattr(message, "kind", "wrong")
        self.mistake = mistake or getattr(message, "mistake", None)
        return self


#: What a failing verdict can be: a catalogued mistake, a wrong answer no mistake explains,
#: an answer still raising NotImplementedError, one that raised, one numerically unstable, a
#: name that is missing or not a function, or a check the grader could not complete.
KINDS = ("mistake", "wrong", "not_implemented", "raised", "unstable", "not_a_function", "error")


def as_verdict(message: object, kind: str = "wrong") -> Verdict | None:
    """``message`` as a :class:`Verdict` (None stays None; a Verdict keeps its kind and key)."""
    if message is None or isinstance(message, Verdict):
        return message
    return Verdict(str(message), kind=kind)
