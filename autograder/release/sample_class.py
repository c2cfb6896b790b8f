"""The bundled sample class (``examples/submitted``) and filled-in submissions for tests.

Three students hand in every lesson: ``alice_complete`` (every answer right), ``bob_blank`` (the
release untouched) and ``carol_partial`` (her first answer makes a recognised mistake, her last
one is left blank, the rest are right).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterable, Mapping
from pathlib import Path

from nbformat import NotebookNode

from autograder import notebooks
from autograder.lessons import checks_of
from autograder.settings import REPO


def solution_answers(lesson: str, notebook: str, root: str | Path = REPO) -> dict[str, str]:
    """``{grade_id: source}``: every answer of a lesson's solution notebook, as a student types it."""
    return notebooks.answers(notebooks.read(Path(root) / "solutions" / lesson / notebook))


def mistake_answer(lesson: str, grade_id: str, index: int = 0) -> str:
    """Source of the ``index``-th recognised wrong answer for an exercise, as notebook code."""
    check = next(c for c in checks_of(lesson).values() if c.function == grade_id)
    return check.all_mistakes()[index].source(grade_id)


def submission(lesson: str, notebook: str, overrides: Mapping[str, str | None] | None = None,
               release: str | Path | None = None, root: str | Path = REPO) -> NotebookNode:
    """The release notebook filled in with the solutions, then with ``overrides`` on top.

    ``overrides`` maps answer grade_ids to sources; ``None`` as a source leaves that answer
    as released (blank).
    """
    release = Path(release or Path(root) / "course")
    nb = notebooks.read(release / lesson / notebook)
    answers = solution_answers(lesson, notebook, root)
    for grade_id, source in (overrides or {}).items():
        if source is None:
            answers.pop(grade_id, None)
        else:
            answers[grade_id] = source
    return notebooks.fill(nb, answers)


def write_sample_class(dest: str | Path, lessons: Iterable[str], release: str | Path | None = None,
                       root: str | Path = REPO) -> None:
    """Write the three sample students' submissions of ``lessons`` under ``dest``."""
    dest = Path(dest)
    release = Path(release or Path(root) / "course")
    for lesson in lessons:
        for student in ("alice_complete", "bob_blank", "carol_partial"):
            folder = dest / student / lesson
            if folder.exists():
                shutil.rmtree(folder)
        for path in sorted((release / lesson).glob("*.ipynb")):
            ids = list(solution_answers(lesson, path.name, root))
            blank = notebooks.read(path)
            wrong = {ids[0]: mistake_answer(lesson, ids[0]), ids[-1]: None}
            students = {
                "alice_complete": submission(lesson, path.name, release=release, root=root),
                "bob_blank": blank,
                "carol_partial": submission(lesson, path.name, wrong, release=release, root=root),
            }
            for student, nb in students.items():
                notebooks.write(nb, dest / student / lesson / path.name)
