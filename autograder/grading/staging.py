"""Staging a submission: what of a student's folder the grader grades, and how it is put back.

The originals are never modified: :func:`stage` copies what can be graded into a private folder,
restores the release's test and read-only cells there (:func:`autograder.grading.restore.restore_cells`),
leaves out files that would shadow a package, and says what it found (missing, unreadable,
renamed or extra notebooks, tampered cells, answers that call the reference).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import nbformat

from autograder import notebooks, regular


def expected_cells(root: Path | str, assignment: str) -> dict[str, list[tuple[str, float]]]:
    """``{notebook name: [(test grade_id, points), ...]}`` of an assignment."""
    folder = Path(root) / "solutions" / assignment
    return {p.name: notebooks.test_cells(notebooks.read(p)) for p in sorted(folder.glob("*.ipynb"))}


def stage(src: Path | str, dest: Path | str, assignment: str,
          expected: dict[str, list[tuple[str, float]]], release: Path | str
          ) -> tuple[dict[str, str | None], dict[str, list[str]]]:
    """Copy what can be graded from ``src`` into ``dest``.

    Returns ``({notebook: problem or None}, {notebook: [flags]})``.
    """
    from autograder.grading.restore import restore_cells
    from autograder.grading.scan import scan_answers
    from autograder.grading.shadowing import shadowing_files
    from autograder.lessons import checks_of

    src, dest, release = Path(src), Path(dest), Path(release)
    problems: dict[str, str | None] = {name: None for name in expected}
    flags: dict[str, list[str]] = {name: [] for name in expected}
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    try:  # a symlinked student or assignment folder is refused, never followed
        fd = regular.open_folder(src, under=src.parent.parent)
    except FileNotFoundError:
        return {name: "not submitted" for name in expected}, flags
    except OSError as exc:
        return {name: f"unreadable submission: {exc}" for name in expected}, flags
    try:
        found = regular.entries(fd)
        left_out = [f"{e.name} ({e.what})" for e in found if not (e.regular or e.folder)]
        shadow = shadowing_files(src)
        data: dict[str, bytes] = {}
        unreadable: dict[str, OSError] = {}
        for e in found:
            if e.regular and not e.name.endswith(".ipynb") and e.name not in shadow:
                try:
                    regular.copy(fd, e.name, dest / e.name)
                except OSError as exc:
                    left_out.append(str(exc))
        present = {e.name: e for e in found if e.name.endswith(".ipynb")}
        for name in expected:
            if name in present:
                try:
                    data[name] = regular.read(fd, name)
                except OSError as exc:
                    unreadable[name] = exc
    finally:
        os.close(fd)
    extra = sorted(set(present) - set(expected))
    try:
        graded_names = set(checks_of(assignment))
    except Exception:  # noqa: BLE001 - a lesson without checks module: no scan by name
        graded_names = set()
    for name in expected:
        if left_out:
            flags[name].append("left out, not regular files: " + ", ".join(left_out[:5])
                               + (f" (+{len(left_out) - 5} more)" if len(left_out) > 5 else ""))
        if shadow:
            flags[name].append(f"files that would shadow packages were not used: {', '.join(shadow)}")
        if extra:
            flags[name].append(f"extra notebooks: {', '.join(extra)}")
        if name not in present:
            problems[name] = "missing notebook" + (
                f" (found {', '.join(extra)} instead; was it renamed?)" if extra else "")
            continue
        if name in unreadable:
            problems[name] = f"unreadable notebook: {unreadable[name]}"
            continue
        try:
            nb = nbformat.reads(data[name].decode("utf-8"), as_version=4)
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
            (dest / name).write_bytes(data[name])
    return problems, flags
