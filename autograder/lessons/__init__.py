"""Hidden-test checks, one module per lesson.

The module of an assignment is named after it without its number: ``01_neuron`` is checked by
``autograder.lessons.neuron``, ``05_losses`` by ``autograder.lessons.losses``. They run in a
learner's kernel (the notebooks' ``checks``), in a grading kernel and in the grader's judge.

Here too: which checks each test cell calls (:func:`hidden_tests`, read from the course's own
cells: ``solutions/`` or the graded cells ``ann-course build`` writes to ``release/*.json``,
:func:`available`), their visible asserts (:func:`sources_of_tests`, :func:`visible_code`), and each
lesson's ``self_check`` (:func:`self_check_for`).

May import: settings, checks, notebooks.
"""

from __future__ import annotations

import importlib
import re
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable

    from nbformat import NotebookNode

    from autograder.checks.core import Check

#: Where ``ann-course build`` writes the lessons' graded cells (:mod:`autograder.release.release_data`).
RELEASE_DIR = Path(__file__).resolve().parent / "release"


def module_name(assignment: str) -> str:
    """``"01_neuron"`` -> ``"neuron"``."""
    number, _, topic = assignment.partition("_")
    if not (number.isdigit() and topic):
        raise ValueError(f"assignment ids look like '01_neuron', not {assignment!r}")
    return topic


def checks_module(assignment: str) -> ModuleType:
    """The checks module of an assignment, e.g. ``checks_module("01_neuron")``."""
    return importlib.import_module(f"autograder.lessons.{module_name(assignment)}")


def checks_of(assignment: str) -> dict[str, Check]:
    """Every check (Exercise or Property) a lesson defines, by its name (unique in a lesson)."""
    from autograder.checks.core import Check

    module = checks_module(assignment)
    found: dict[str, Check] = {}
    for c in vars(module).values():
        if isinstance(c, Check):
            if c.name in found and found[c.name] is not c:
                raise ValueError(f"{module.__name__}: two checks are named {c.name!r}; give each "
                                 "check its own name (and `answer=` the function it grades)")
            found[c.name] = c
    return found


#: A hidden test's call of a check: ``checks.<check>(<answer>)`` on a line of its own.
HIDDEN_CALL = re.compile(r"^\s*checks\.([A-Za-z_]\w*)\(\s*([A-Za-z_]\w*)\s*\)\s*$", re.M)


def hidden_calls(source: str) -> list[tuple[str, str]]:
    """``[(check attribute, answer name), ...]`` called in a test cell's hidden region."""
    from autograder import notebooks

    hidden = "\n".join(notebooks.region(source, notebooks.BEGIN_HIDDEN, notebooks.END_HIDDEN))
    return HIDDEN_CALL.findall(hidden)


def visible_code(source: str) -> str:
    """A test cell's visible asserts: its source without the hidden region (what the grader's
    kernel runs of it too: there the hidden calls do nothing)."""
    from autograder import notebooks

    lines, inside = [], False
    for line in source.splitlines():
        if line.strip() in (notebooks.BEGIN_HIDDEN, notebooks.END_HIDDEN):
            inside = line.strip() == notebooks.BEGIN_HIDDEN
        elif not inside:
            lines.append(line)
    return "\n".join(lines)


class ReleaseDataError(ValueError):
    """A lesson's graded cells cannot be written or read; the message says why."""


def available(data_dir: Path | str = RELEASE_DIR) -> list[tuple[str, str, NotebookNode]]:
    """``[(lesson, notebook name, graded-cells notebook), ...]`` of every lesson the package knows."""
    import json

    import nbformat

    found = []
    for path in sorted(Path(data_dir).glob("*.json")):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            for name, raw in sorted(data["notebooks"].items()):
                found.append((data["lesson"], name, nbformat.reads(json.dumps(raw), as_version=4)))
        except (ValueError, KeyError, TypeError) as exc:
            raise ReleaseDataError(f"{path} is damaged ({exc}); reinstall the package or run "
                                   "`ann-course build`") from None
    return found


def hidden_tests(root: Path | str, lesson_module: str) -> dict[str, list[tuple[str, str]]]:
    """``{test grade_id: [(check, answer), ...]}`` of ``lesson_module``'s lesson, in cell order.

    The course's own cells, never a submitted notebook, say which checks each test cell calls: the
    solution notebooks under ``root`` where there are some (the instructor's clone), else the
    lessons' graded cells shipped with the package (:func:`available`, a student's installation).
    """
    return {gid: hidden_calls(source) for gid, source in sources_of_tests(root, lesson_module).items()}


def sources_of_tests(root: Path | str, lesson_module: str) -> dict[str, str]:
    """``{test grade_id: source}``: the course's own test cells of the lesson, whole (visible
    asserts and hidden region), in cell order, from where :func:`hidden_tests` reads them."""
    from autograder import notebooks

    def ours(lesson):
        try:
            return module_name(lesson) == topic
        except ValueError:
            return False

    topic = lesson_module.rpartition(".")[2]
    solutions = Path(root, "solutions")
    if solutions.is_dir():
        sources = [notebooks.read(path) for folder in sorted(solutions.glob(f"*_{topic}"))
                   if ours(folder.name) for path in sorted(folder.glob("*.ipynb"))]
    else:
        sources = [nb for lesson, _, nb in available() if ours(lesson)]
    found = {}
    for nb in sources:
        for cell in nb.cells:
            if notebooks.is_test(cell):
                found[notebooks.nbgrader_meta(cell)["grade_id"]] = cell.source
    return found


def self_check_for(module_name: str) -> Callable[[dict[str, Any]], None]:
    """The ``self_check(namespace)`` of the lesson whose checks live in ``module_name``: the
    grader's judgement run locally on every test cell (:func:`autograder.checks.testcells.self_check`)."""
    import sys

    def check_all(namespace):
        """Check every exercise of this lesson on the answers in ``namespace`` (pass ``globals()``)."""
        from autograder.checks.testcells import self_check
        from autograder.settings import REPO

        sources = sources_of_tests(REPO, module_name)
        calls = {gid: hidden_calls(source) for gid, source in sources.items()}
        visible = {gid: visible_code(source) for gid, source in sources.items()}
        return self_check(sys.modules[module_name], namespace, calls, visible)

    check_all.__name__ = check_all.__qualname__ = "self_check"
    return check_all
