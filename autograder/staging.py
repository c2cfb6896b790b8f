"""Staging a submission: what of a student's folder the grader grades, and how it is put back.

The originals are never modified: :func:`stage` copies what can be graded into a private folder,
restores the release's test and read-only cells there (:func:`autograder.guard.restore_cells`),
leaves out files that would shadow a package, and says what it found (missing, unreadable,
renamed or extra notebooks, tampered cells, answers that call the reference).
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import nbformat

from autograder import notebooks


def expected_cells(root, assignment):
    """``{notebook name: [(test grade_id, points), ...]}`` of an assignment."""
    folder = Path(root) / "solutions" / assignment
    return {p.name: notebooks.test_cells(notebooks.read(p)) for p in sorted(folder.glob("*.ipynb"))}


def folder_hash(folder):
    """A hash of every file under ``folder`` (names and contents); '' if it does not exist."""
    folder = Path(folder)
    if not folder.is_dir():
        return ""
    h = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        h.update(str(path.relative_to(folder)).encode() + b"\0")
        h.update(hashlib.sha256(path.read_bytes()).digest())
    return h.hexdigest()


def stage(src, dest, assignment, expected, release):
    """Copy what can be graded from ``src`` into ``dest``.

    Returns ``({notebook: problem or None}, {notebook: [flags]})``.
    """
    from autograder.guard import restore_cells, shadowing_files
    from autograder.lessons import checks_of
    from autograder.scan import scan_answers

    src, dest, release = Path(src), Path(dest), Path(release)
    problems = {name: None for name in expected}
    flags = {name: [] for name in expected}
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    if not src.is_dir():
        return {name: "not submitted" for name in expected}, flags
    shadow = shadowing_files(src)
    for item in src.iterdir():
        if item.suffix != ".ipynb" and item.is_file() and item.name not in shadow:
            shutil.copy2(item, dest / item.name)
    present = {p.name for p in src.glob("*.ipynb")}
    extra = sorted(present - set(expected))
    try:
        graded_names = set(checks_of(assignment))
    except Exception:  # noqa: BLE001 - a lesson without checks module: no scan by name
        graded_names = set()
    for name in expected:
        if shadow:
            flags[name].append(f"files that would shadow packages were not used: {', '.join(shadow)}")
        if extra:
            flags[name].append(f"extra notebooks: {', '.join(extra)}")
        path = src / name
        if name not in present:
            problems[name] = "missing notebook" + (
                f" (found {', '.join(extra)} instead; was it renamed?)" if extra else "")
            continue
        try:
            nb = nbformat.read(str(path), as_version=4)
            nbformat.validate(nb)
        except Exception as exc:  # noqa: BLE001 - any unreadable file is reported, not fatal
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            problems[name] = f"unreadable notebook: {first[:200]}"
            continue
        nb, notes = restore_cells(nb, notebooks.read(release / name))
        if notes:
            flags[name].append("test cells tampered with, restored: " + ", ".join(notes[:5])
                               + (f" (+{len(notes) - 5} more)" if len(notes) > 5 else ""))
        flags[name] += scan_answers(nb, graded_names, release / name)
        if notes:
            notebooks.write(nb, dest / name)
        else:
            shutil.copy2(path, dest / name)
    return problems, flags
