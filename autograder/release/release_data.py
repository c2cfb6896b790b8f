"""The lessons' graded cells as package data, so ``ann-course check`` works without ``solutions/``.

``ann-course build`` writes ``autograder/lessons/release/<lesson>.json``: for each notebook of the
lesson, the *release* notebook (solutions already replaced by stubs, no outputs) whose test cells
carry their hidden-test lines again. That is everything the grader restores into a submission
(locked cells, test cells, hidden tests) and nothing a student must not read: hidden tests are
not secret, only unseen while working, and no line of a ``### BEGIN SOLUTION`` region is in it
(:func:`graded_cells` refuses to write one).

Each *teaching cell* (a figure or explorer of the lesson, :func:`teaching_cells`: what a graded
kernel skips) is marked in these files (``metadata["ann_course"]["teaching"]``, :data:`MARK`), so
that ``ann-course check`` and the grader recognise them from the release itself
(:func:`teaching_of`), with or without ``solutions/``.

The installed package (the students' wheel) carries these files; ``solutions/`` is never in it.
"""

from __future__ import annotations

import ast
import copy
import importlib
import json
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import nbformat

from autograder import notebooks
from autograder.checks.reach import policy
from autograder.lessons import RELEASE_DIR, ReleaseDataError, available, checks_module, module_name

#: Where the build writes the lessons' graded cells and where ``ann-course check`` reads them
#: (:func:`autograder.lessons.available`).
DATA_DIR = RELEASE_DIR
#: The cell metadata key under which a teaching cell is marked (``{"teaching": true}``).
MARK = "ann_course"
#: The ``grade_id`` of a lesson's one import cell (locked; the grader's figures start from it).
IMPORTS = "imports"


@dataclass(frozen=True)
class Teaching:
    """A lesson's teaching cells, as the course's own cells say (never a submission).

    ``cells``: the sources (stripped) of its figures and explorers, which a graded kernel skips;
    ``imports``: the sources of its import cells (what the grader runs before it draws a figure,
    :mod:`autograder.outputs.feedback_figures`).
    """

    cells: frozenset[str] = frozenset()
    imports: tuple[str, ...] = ()


def graded_cells(solution_nb: nbformat.NotebookNode, release_nb: nbformat.NotebookNode
                 ) -> nbformat.NotebookNode:
    """The release notebook with each test cell's source taken from the solution (hidden tests in).

    Raises :class:`ReleaseDataError` if a test cell of the solution holds a solution region, or if
    any line of a solution region would end up in the result.
    """
    by_id = {notebooks.nbgrader_meta(c).get("grade_id"): c for c in solution_nb.cells}
    nb = copy.deepcopy(release_nb)
    for cell in nb.cells:
        gid = notebooks.nbgrader_meta(cell).get("grade_id")
        if notebooks.is_test(cell) and gid in by_id:
            source = by_id[gid].source
            if notebooks.BEGIN_SOLUTION in source:
                raise ReleaseDataError(f"test cell {gid} holds a solution region")
            cell.source = source
    secret = {line.strip() for c in solution_nb.cells
              for line in notebooks.region(c.source, notebooks.BEGIN_SOLUTION, notebooks.END_SOLUTION)}
    public = {line.strip() for c in release_nb.cells for line in c.source.splitlines()}
    for cell in nb.cells:
        if notebooks.is_test(cell):
            leaked = [ln for ln in cell.source.splitlines() if ln.strip() in secret - public
                      and not notebooks._TRIVIAL.match(ln)]
            if leaked:
                raise ReleaseDataError(f"test cell {notebooks.nbgrader_meta(cell).get('grade_id')} "
                                       f"repeats a solution line: {leaked[0].strip()!r}")
    return nb


def mark_teaching(nb: nbformat.NotebookNode, sources: set[str] | frozenset[str]) -> nbformat.NotebookNode:
    """``nb`` with each code cell whose source is one of ``sources`` marked as a teaching cell."""
    for cell in nb.cells:
        if cell.cell_type == "code" and cell.source.strip() in sources:
            cell.metadata.setdefault(MARK, {})["teaching"] = True
    return nb


def write(lesson: str, pairs: list[tuple[Path, Path]], data_dir: Path = DATA_DIR) -> Path:
    """Write ``<data_dir>/<lesson>.json`` from ``[(solution path, release path), ...]``."""
    data: dict[str, Any] = {"lesson": lesson, "notebooks": {}}
    for solution, release in pairs:
        solution_nb = notebooks.read(solution)
        nb = graded_cells(solution_nb, notebooks.read(release))
        mark_teaching(nb, teaching_cells(solution_nb, checks_module(lesson))[0])
        data["notebooks"][Path(release).name] = json.loads(nbformat.writes(nb))
    path = Path(data_dir) / f"{lesson}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=1, sort_keys=True, ensure_ascii=False) + "\n",
                    encoding="utf-8")
    return path


def _loaded(tree_: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(tree_) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}


def _stored(tree_: ast.AST) -> set[str]:
    names = {n.id for n in ast.walk(tree_) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
    for node in ast.walk(tree_):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            names |= {(a.asname or a.name).split(".")[0] for a in node.names}
        elif isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names.add(node.name)
    return names


def teaching_cells(nb: nbformat.NotebookNode, module: ModuleType
                   ) -> tuple[set[str], list[str]]:
    """The sources of ``nb``'s teaching cells: what a graded kernel skips.

    A teaching cell is a code cell of the course's own notebook (``nb``: the lesson's solution)
    that is neither an answer nor a test cell and uses an ``ann_lib`` module its lesson's
    :class:`Reach` leaves out (``teaching``, the reference), or a name only such cells define.
    A submitted cell is skipped only when its source is exactly one of these (nothing a student
    writes can make her own code skipped). Returns ``(sources, test cells that use a name only
    teaching cells define)``: the second must be empty (:mod:`tests` check every lesson).
    """
    rule = policy(module)
    left_out: set[str] = set()
    skipped: set[str] = set()
    sources: set[str] = set()
    broken: list[str] = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        try:
            parsed = ast.parse(cell.source)
        except SyntaxError:
            continue
        meta = notebooks.nbgrader_meta(cell)
        for node in ast.walk(parsed):
            if isinstance(node, ast.ImportFrom) and node.module == "ann_lib":
                left_out |= {a.asname or a.name for a in node.names if a.name not in rule.ann_lib}
        if meta.get("solution"):
            skipped -= _stored(parsed)
            continue
        uses = _loaded(parsed) - _stored(parsed)
        if meta.get("grade"):
            if uses & skipped:
                broken.append(str(meta.get("grade_id")))
            continue
        if meta.get("locked"):
            continue
        if uses & (left_out | skipped):
            sources.add(cell.source.strip())
            skipped |= _stored(parsed)
        else:
            skipped -= _stored(parsed)
    return sources, broken


def _course_notebooks(root: Path | str, topic: str) -> list[nbformat.NotebookNode]:
    """The solution notebooks of the lesson ``topic`` under ``root``, in order."""
    found = []
    for folder in sorted(Path(root, "solutions").glob(f"*_{topic}")):
        try:
            if module_name(folder.name) != topic:
                continue
        except ValueError:
            continue
        found += [notebooks.read(path) for path in sorted(folder.glob("*.ipynb"))]
    return found


def teaching_of(root: Path | str, lesson_module: str, data_dir: Path = DATA_DIR) -> Teaching:
    """The teaching cells of ``lesson_module``'s lesson and its import cells.

    From its solution notebooks under ``root`` where there is a ``solutions/`` (the instructor's
    clone), else from the marks of the release data (:data:`MARK`; a student's installation),
    as :func:`autograder.lessons.hidden_tests` finds the hidden tests.
    """
    if not lesson_module.startswith("autograder.lessons."):
        return Teaching()
    topic = lesson_module.rpartition(".")[2]
    cells: set[str] = set()
    if Path(root, "solutions").is_dir():
        course = _course_notebooks(root, topic)
        module = importlib.import_module(lesson_module)
        for nb in course:
            cells |= teaching_cells(nb, module)[0]
    else:
        course = [nb for lesson, _, nb in available(data_dir) if module_name(lesson) == topic]
        cells = {c.source.strip() for nb in course for c in nb.cells
                 if c.cell_type == "code" and (c.metadata.get(MARK) or {}).get("teaching") is True}
    imports = tuple(c.source for nb in course for c in nb.cells if c.cell_type == "code"
                    and notebooks.nbgrader_meta(c).get("grade_id") == IMPORTS)
    return Teaching(frozenset(cells), imports)


def teaching_sources(root: Path | str, lesson_module: str) -> frozenset[str]:
    """The teaching cells' sources of ``lesson_module``'s lesson (:func:`teaching_of`)."""
    return teaching_of(root, lesson_module).cells
