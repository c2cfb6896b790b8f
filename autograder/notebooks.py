"""Reading course notebooks: answer cells, test cells, and filling in a release as a student would."""

from __future__ import annotations

import json
import re
from pathlib import Path

import nbformat

BEGIN_SOLUTION = "### BEGIN SOLUTION"
END_SOLUTION = "### END SOLUTION"
BEGIN_HIDDEN = "### BEGIN HIDDEN TESTS"
END_HIDDEN = "### END HIDDEN TESTS"


class NotebookError(ValueError):
    """A file that is not a readable Jupyter notebook; the message names the file and says why."""


def read(path: Path | str) -> nbformat.NotebookNode:
    """Read a notebook as nbformat v4 (schema errors logged, as nbformat does)."""
    return nbformat.read(str(path), as_version=4)


def load(path: Path | str) -> nbformat.NotebookNode:
    """Read a notebook someone handed in, as nbformat v4: :class:`NotebookError` says what is
    wrong with a file that is not one (missing, not UTF-8, not JSON, no cells, unreadable).

    The file is parsed once; nbformat's schema check is its default fast (fastjsonschema) one
    and, as in nbgrader, a notebook that breaks the schema is logged, not refused.
    """
    path = Path(path)
    if not path.is_file():
        raise NotebookError(f"{path}: no such file")
    try:
        raw = json.loads(path.read_bytes().decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise NotebookError(f"{path} is not a Jupyter notebook (not JSON: {exc})") from None
    if not isinstance(raw, dict) or not isinstance(raw.get("cells"), list) or "nbformat" not in raw:
        raise NotebookError(f"{path} is JSON but not a Jupyter notebook (no cells/nbformat)")
    major, minor = raw.get("nbformat"), raw.get("nbformat_minor", 0)
    if major not in nbformat.versions:
        raise NotebookError(f"{path}: notebook format version {major!r} is not one nbformat reads")
    try:
        nb = nbformat.convert(nbformat.versions[major].to_notebook_json(raw, minor=minor), 4)
    except Exception as exc:  # noqa: BLE001 - nbformat raises many kinds of errors
        raise NotebookError(f"{path} is not a readable notebook: {exc}") from None
    try:
        nbformat.validate(nb)
    except nbformat.ValidationError as exc:
        nbformat.get_logger().error("Notebook JSON is invalid: %s", exc)
    return nb


def write(nb: nbformat.NotebookNode, path: Path | str) -> None:
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, str(path))


def nbgrader_meta(cell: nbformat.NotebookNode) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


def is_answer(cell: nbformat.NotebookNode) -> bool:
    return cell.cell_type == "code" and bool(nbgrader_meta(cell).get("solution"))


def is_test(cell: nbformat.NotebookNode) -> bool:
    meta = nbgrader_meta(cell)
    return cell.cell_type == "code" and bool(meta.get("grade")) and not meta.get("solution")


def test_cells(nb: nbformat.NotebookNode) -> list[tuple[str, float]]:
    """``[(grade_id, points), ...]`` of a notebook's autograded test cells, in order."""
    return [(nbgrader_meta(c)["grade_id"], float(nbgrader_meta(c).get("points", 0)))
            for c in nb.cells if is_test(c)]


def error_of(cell: nbformat.NotebookNode) -> str:
    """What failed a cell, as ``name: message``: its last error output (the grader's verdict comes
    last), else a note that it printed on stderr (nbgrader scores that 0 too); '' if neither."""
    errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
    if errors:
        return f"{errors[-1].get('ename')}: {errors[-1].get('evalue')}".rstrip(": ")
    for o in cell.get("outputs", []):
        if o.get("output_type") == "stream" and o.get("name") == "stderr":
            return "the test printed on stderr (the grader gives no points for that)"
    return ""


def region(source: str, begin: str, end: str) -> list[str]:
    """The lines strictly between ``begin`` and ``end`` markers (all such regions)."""
    inside, lines = False, []
    for line in source.splitlines():
        if line.strip() == begin:
            inside = True
        elif line.strip() == end:
            inside = False
        elif inside:
            lines.append(line)
    return lines


def student_answer(source: str) -> str:
    """A solution cell as a student would leave it: the markers' lines removed, the body kept."""
    lines = [ln for ln in source.splitlines() if ln.strip() not in (BEGIN_SOLUTION, END_SOLUTION)]
    return "\n".join(lines)


def answers(solution_nb: nbformat.NotebookNode) -> dict[str, str]:
    """``{grade_id: answer source}`` for every answer cell of a solution notebook."""
    return {nbgrader_meta(c)["grade_id"]: student_answer(c.source)
            for c in solution_nb.cells if is_answer(c)}


def fill(release_nb: nbformat.NotebookNode, answers_by_id: dict[str, str]) -> nbformat.NotebookNode:
    """A copy of ``release_nb`` whose answer cells hold the given sources (others untouched)."""
    nb = nbformat.from_dict(release_nb)
    for cell in nb.cells:
        grade_id = nbgrader_meta(cell).get("grade_id")
        if is_answer(cell) and grade_id in answers_by_id:
            cell.source = answers_by_id[grade_id]
    return nb


_TRIVIAL = re.compile(r"^\s*(return|pass|raise NotImplementedError.*|#.*|[\)\]\}]+)?\s*$")


def leaks(solution_nb: nbformat.NotebookNode, release_nb: nbformat.NotebookNode) -> list[str]:
    """What of the solutions or hidden tests made it into a release notebook (empty: none).

    Looks for the markers themselves, and for every non-trivial line of a solution region or a
    hidden-test region that does not also appear outside those regions in the source notebook.
    """
    public = set()
    secret = {}
    for cell in solution_nb.cells:
        src = cell.source
        hidden = set(region(src, BEGIN_SOLUTION, END_SOLUTION)) | set(
            region(src, BEGIN_HIDDEN, END_HIDDEN))
        for line in src.splitlines():
            if line in hidden:
                if not _TRIVIAL.match(line):
                    secret[line.strip()] = nbgrader_meta(cell).get("grade_id", "?")
            else:
                public.add(line.strip())
    problems = []
    for cell in release_nb.cells:
        for marker in (BEGIN_SOLUTION, END_SOLUTION, BEGIN_HIDDEN, END_HIDDEN):
            if marker in cell.source:
                problems.append(f"marker {marker!r} in cell {cell.get('id', '?')}")
        for line in cell.source.splitlines():
            key = line.strip()
            if key in secret and key not in public:
                problems.append(f"line {key!r} of {secret[key]} is in the release")
        if cell.cell_type == "code" and (cell.get("outputs") or cell.get("execution_count")):
            problems.append(f"cell {cell.get('id', '?')} has outputs")
    return problems
