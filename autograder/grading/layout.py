"""Does a folder follow nbgrader's submitted layout? What ``ann-course grade`` says when it does not.

nbgrader's ``collect`` writes ``SUBMITTED/<student_id>/<assignment>/<notebook>.ipynb``. Pointed at
another folder (the exchange's ``inbound/`` with its ``student+assignment+timestamp`` folders, one
student's folder, an assignment folder with the notebooks directly inside), the grader would find
nothing to grade; :func:`survey` lists what is there and what is ignored, and :func:`explain`
turns that into a message that says what was expected, what was found and what to do.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

EXPECTED = "SUBMITTED/<student_id>/<assignment>/<notebook>.ipynb"
_INBOUND = re.compile(r"^[^+]+\+[^+]+\+[^+]+(\+[^+]+)?$")  # student+assignment+timestamp[+random]
_SHOWN = 10


class LayoutError(RuntimeError):
    """Nothing in the folder can be graded; the message says what was expected and found."""


@dataclass
class Survey:
    """What a folder of submissions holds."""

    root: Path
    lessons: list[str]
    gradable: list[Path] = field(default_factory=list)  # notebooks at <student>/<lesson>/
    ignored: list[Path] = field(default_factory=list)  # every other notebook, relative to root

    def hint(self) -> str:
        """What the folder looks like, and what to point the grader at instead ('' if unknown)."""
        tops = [p.parts[0] for p in self.ignored]
        if any(_INBOUND.match(t) for t in tops):
            return ("this looks like nbgrader's exchange inbound folder (student+assignment+timestamp "
                    "folders): run `nbgrader collect <assignment>` in the course, then grade its "
                    "submitted/ folder")
        if any(len(p.parts) == 1 for p in self.ignored):
            return ("the notebooks are directly inside: this looks like one student's assignment "
                    "folder; point at the folder that holds one folder per student")
        if any(len(p.parts) == 2 and p.parts[0] in self.lessons for p in self.ignored):
            return ("the folders inside are lessons: this looks like one student's folder; point "
                    "at its parent, the folder that holds one folder per student")
        if self.ignored and all(len(p.parts) > 3 for p in self.ignored):
            return "the notebooks are nested deeper than expected: point at a folder further down"
        return ""


def survey(root: str | Path, lessons: Iterable[str]) -> Survey:
    """Sort every notebook under ``root`` into gradable and ignored (checkpoints and dot-folders skipped)."""
    root = Path(root)
    found = Survey(root, list(lessons))
    for path in sorted(root.rglob("*.ipynb")):
        rel = path.relative_to(root)
        if any(part.startswith(".") for part in rel.parts):
            continue
        if len(rel.parts) == 3 and rel.parts[1] in found.lessons:
            found.gradable.append(rel)
        else:
            found.ignored.append(rel)
    return found


def _listing(paths):
    shown = [str(p) for p in paths[:_SHOWN]]
    more = f" (+{len(paths) - _SHOWN} more)" if len(paths) > _SHOWN else ""
    return ", ".join(shown) + more


def explain(found: Survey) -> str:
    """The message for a folder: what was expected, found, ignored, and a hint."""
    lines = [f"expected {EXPECTED} (what `nbgrader collect` writes to the course's submitted/), "
             f"<assignment> one of: {', '.join(found.lessons)}"]
    lines.append(f"found in {found.root}: {len(found.gradable)} notebook(s) in that layout, "
                 f"{len(found.ignored)} elsewhere")
    if found.ignored:
        lines.append(f"ignored: {_listing(found.ignored)}")
    if found.hint():
        lines.append(found.hint())
    return "\n  ".join(lines)


def require_gradable(root: str | Path, lessons: Iterable[str]) -> Survey:
    """:class:`Survey` of ``root``; raises :class:`LayoutError` when no notebook is in the layout."""
    found = survey(root, lessons)
    if not found.gradable:
        raise LayoutError(f"nothing to grade in {found.root}:\n  " + explain(found))
    return found
