"""What the grader's judge decided about one check of one test cell, as a typed record.

A failing verdict (:class:`autograder.checks.core.Verdict`) carries its ``kind`` and, when the answer
reproduces a catalogued :class:`~autograder.checks.core.Mistake`, that mistake's key. The guard turns
each failing verdict of a test cell into a :class:`Diagnosis` (:func:`of`), the job puts them on
the cell's grade row (``Row.diagnoses``), and the report counts them
(:mod:`autograder.outputs.report`): mistakes are counted from the judge's own decision, never parsed
back from the message text.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class Diagnosis:
    """One failing check of a test cell."""

    check: str           #: the check's name (unique within a lesson)
    kind: str            #: one of :data:`autograder.checks.core.KINDS`
    mistake: str = ""    #: the catalogued mistake's key ("" when none was recognised)
    message: str = ""    #: what the catalogue says of that mistake ("" when none)

    def as_dict(self) -> dict[str, str]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Diagnosis:
        return cls(**{k: str(data.get(k, "")) for k in ("check", "kind", "mistake", "message")})


def of(check: object, verdict: str) -> Diagnosis:
    """The :class:`Diagnosis` of ``check``'s failing ``verdict`` (a str or a Verdict)."""
    name = getattr(check, "name", str(check))
    key = getattr(verdict, "mistake", None) or ""
    kind = getattr(verdict, "kind", "wrong")
    message = ""
    if key:
        found = [m for m in getattr(check, "all_mistakes", list)() if m.key == key]
        message = found[0].message if found else ""
    return Diagnosis(name, kind, key, message)


def load(items: Iterable[Diagnosis | Mapping[str, Any]] | None) -> tuple[Diagnosis, ...]:
    """Diagnoses from their plain form (a job's result, ``state.json``), records kept as they are."""
    return tuple(d if isinstance(d, Diagnosis) else Diagnosis.from_dict(d) for d in items or ())
