"""The lessons' graded cells as package data, so ``ann-course check`` works without ``solutions/``.

``ann-course build`` writes ``autograder/lessons/release/<lesson>.json``: for each notebook of the
lesson, the *release* notebook (solutions already replaced by stubs, no outputs) whose test cells
carry their hidden-test lines again. That is everything the grader restores into a submission
(locked cells, test cells, hidden tests) and nothing a student must not read: hidden tests are
not secret, only unseen while working, and no line of a ``### BEGIN SOLUTION`` region is in it
(:func:`graded_cells` refuses to write one).

The installed package (the students' wheel) carries these files; ``solutions/`` is never in it.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import nbformat

from autograder import notebooks

#: Where the build writes the lessons' graded cells and where ``ann-course check`` reads them.
DATA_DIR = Path(__file__).resolve().parent / "lessons" / "release"


class ReleaseDataError(ValueError):
    """A lesson's graded cells cannot be written or read; the message says why."""


def graded_cells(solution_nb, release_nb):
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


def write(lesson, pairs, data_dir=DATA_DIR):
    """Write ``<data_dir>/<lesson>.json`` from ``[(solution path, release path), ...]``."""
    data = {"lesson": lesson, "notebooks": {}}
    for solution, release in pairs:
        nb = graded_cells(notebooks.read(solution), notebooks.read(release))
        data["notebooks"][Path(release).name] = json.loads(nbformat.writes(nb))
    path = Path(data_dir) / f"{lesson}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=1, sort_keys=True, ensure_ascii=False) + "\n",
                    encoding="utf-8")
    return path


def available(data_dir=DATA_DIR):
    """``[(lesson, notebook name, graded-cells notebook), ...]`` of every lesson the package knows."""
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
