"""Writing a lesson's release into ``course/`` without ever overwriting a learner's work.

Self-learners work in the notebooks of ``course/``. The build records what it wrote there (a
SHA-256 of every file, in ``course/.ann-course-build.json``, never committed); when it builds
again, a file whose content is neither what it wrote last time, nor what git has committed for it
(a fresh clone, a merge), nor the new release was changed by someone: it is kept as it is, and
the build says so and what to do. Files the release does not have (a learner's own
notes, scratch notebooks) are never touched; a file of an earlier release that the new one
dropped is removed only when it is still exactly what the build wrote.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

MANIFEST = ".ann-course-build.json"


def digest(path: str | Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


@dataclass
class Installed:
    """What :func:`install` did: files written, and files kept because someone changed them."""

    written: list = field(default_factory=list)
    kept: list = field(default_factory=list)


def git_blob(path: str | Path) -> str:
    """The id git gives the content of ``path`` (``git hash-object``)."""
    data = Path(path).read_bytes()
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def committed(folder: str | Path) -> dict[str, str]:
    """``{relative path: blob id}`` of the files git's index has under ``folder`` ({} without git)."""
    try:
        out = subprocess.run(["git", "-C", str(folder), "ls-files", "-s", "-z"], capture_output=True,
                             timeout=60, check=True).stdout.decode("utf-8", "replace")
    except (OSError, subprocess.SubprocessError):
        return {}
    found = {}
    for entry in filter(None, out.split("\0")):
        meta, _, rel = entry.partition("\t")
        found[rel] = meta.split()[1]
    return found


def _files(folder):
    return sorted(p.relative_to(folder) for p in Path(folder).rglob("*")
                  if p.is_file() and ".ipynb_checkpoints" not in p.parts)


def read_manifest(dest: str | Path) -> dict[str, str]:
    try:
        return json.loads((Path(dest) / MANIFEST).read_text())
    except (OSError, ValueError):
        return {}


def install(release: str | Path, dest: str | Path, lesson: str, manifest: dict[str, str]) -> Installed:
    """Copy the built ``release/<lesson>`` into ``dest/<lesson>``, keeping changed files.

    ``manifest`` (``{"<lesson>/<file>": sha256}``, what the build wrote before) is updated in
    place for the files written.
    """
    src, target = Path(release) / lesson, Path(dest) / lesson
    done = Installed()
    new = {f"{lesson}/{rel.as_posix()}": rel for rel in _files(src)}
    git = committed(target) if target.is_dir() else {}
    for key, rel in new.items():
        path, fresh = target / rel, digest(src / rel)
        if path.is_symlink() or (path.exists() and not path.is_file()):
            done.kept.append(path)
            continue
        if path.exists():
            current = digest(path)
            if current not in (manifest.get(key), fresh) and (
                    git.get(rel.as_posix()) != git_blob(path)):
                done.kept.append(path)
                continue
        path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src / rel, path)
        manifest[key] = fresh
        done.written.append(path)
    for key in [k for k in manifest if k.startswith(f"{lesson}/") and k not in new]:
        path = Path(dest) / key
        if path.is_file() and not path.is_symlink() and digest(path) == manifest[key]:
            path.unlink()
        if not path.exists():
            del manifest[key]
    return done


def write_manifest(dest: str | Path, manifest: dict[str, str]) -> None:
    (Path(dest) / MANIFEST).write_text(json.dumps(dict(sorted(manifest.items())), indent=1) + "\n")


def explain(kept: list[Path], root: str | Path) -> str:
    """The message for the files :func:`install` kept (paths shown relative to ``root``)."""
    if not kept:
        return ""
    lines = [f"kept {len(kept)} file(s) you changed since the build wrote them (your work is in "
             "them; the new release of these files was NOT written):"]
    for path in kept:
        try:
            shown = Path(path).relative_to(root)
        except ValueError:
            shown = path
        lines.append(f"  {shown}")
    lines.append("To get the new version of one of them, move yours away first (e.g. "
                 "`mv course/01_neuron/01_neuron.ipynb my-work/`), run `ann-course build` again, "
                 "then copy your answers into the new notebook.")
    return "\n".join(lines)
