"""Restoring a submission's cells: the release's test and read-only cells put back (deleted,
edited or with their nbgrader metadata flipped) before nbgrader sees the notebook."""

from __future__ import annotations

import json

import nbformat
from nbformat import NotebookNode

from autograder import notebooks


def _locked(cell):
    meta = notebooks.nbgrader_meta(cell)
    return bool(meta.get("locked") or meta.get("grade")) and not meta.get("solution")


def restore_cells(nb: NotebookNode, release: NotebookNode) -> tuple[NotebookNode, list[str]]:
    """Restore the release's locked cells (test cells, imports) in a submitted notebook.

    Cells are matched by nbgrader grade_id, else by cell id. Answer cells keep the student's
    source with the release's metadata; cells the release does not know lose any nbgrader
    metadata; locked cells that were deleted are put back after the cell that precedes them in
    the release. Returns ``(notebook, [what was restored])``; the notebook is unchanged when
    nothing needed restoring.
    """
    by_gid, by_id = {}, {}
    for cell in release.cells:
        gid = notebooks.nbgrader_meta(cell).get("grade_id")
        if gid:
            by_gid[gid] = cell
        if cell.get("id"):
            by_id[cell["id"]] = cell
    notes, out, seen = [], [], set()
    for cell in nb.cells:
        gid = notebooks.nbgrader_meta(cell).get("grade_id")
        ref = by_gid.get(gid) if gid else None
        if ref is None and cell.get("id") in by_id and (
                gid or notebooks.nbgrader_meta(by_id[cell["id"]])):
            ref = by_id[cell["id"]]
        if ref is None or id(ref) in seen:
            if notebooks.nbgrader_meta(cell):
                notes.append(f"nbgrader metadata removed from an unknown cell {cell.get('id', '?')}")
                cell = nbformat.from_dict(cell)
                cell.metadata.pop("nbgrader", None)
            out.append(cell)
            continue
        seen.add(id(ref))
        ref_gid = notebooks.nbgrader_meta(ref).get("grade_id", ref.get("id"))
        if _locked(ref):
            if cell.get("source") != ref.source or notebooks.nbgrader_meta(cell) != \
                    notebooks.nbgrader_meta(ref) or cell.cell_type != ref.cell_type:
                notes.append(f"cell {ref_gid} restored")
            new = nbformat.from_dict(ref)
            new["id"] = ref.get("id", cell.get("id"))
            out.append(new)
        else:
            new = nbformat.from_dict(cell)
            if notebooks.nbgrader_meta(cell) != notebooks.nbgrader_meta(ref):
                notes.append(f"metadata of {ref_gid} restored")
                new.metadata["nbgrader"] = json.loads(json.dumps(notebooks.nbgrader_meta(ref)))
            if ref.cell_type != new.cell_type:
                new = nbformat.from_dict(ref) if ref.cell_type == "markdown" else new
            out.append(new)
    # put back the locked cells that are missing, after their predecessor in the release
    for i, ref in enumerate(release.cells):
        if id(ref) in seen or not (_locked(ref) or notebooks.nbgrader_meta(ref).get("solution")):
            continue
        ref_gid = notebooks.nbgrader_meta(ref).get("grade_id", ref.get("id"))
        notes.append(f"deleted cell {ref_gid} put back")
        pos = 0
        for prev in reversed(release.cells[:i]):
            ids = [k for k, c in enumerate(out) if c.get("id") == prev.get("id")]
            if ids:
                pos = ids[0] + 1
                break
        out.insert(pos, nbformat.from_dict(ref))
        seen.add(id(ref))
    if not notes:
        return nb, []
    new_nb = nbformat.from_dict(nb)
    new_nb.cells = out
    unique: set[str] = set()
    for cell in new_nb.cells:  # ids must stay unique after the insertions
        if cell.get("id") in unique:
            cell["id"] = f"{cell['id']}-x{len(unique)}"
        unique.add(cell.get("id"))
    return new_nb, notes
