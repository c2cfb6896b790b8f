"""Files of a submission that would shadow the grader's packages in the grading kernel (the
submission's own code is scanned for review by :mod:`autograder.grading.scan`)."""

from __future__ import annotations

import os
from pathlib import Path

#: Packages a student's files must not shadow in the grading kernel.
SHADOWED = ("ann_lib", "autograder", "numpy", "nbgrader", "IPython", "ipykernel", "matplotlib",
            "ipywidgets", "scipy", "builtins", "sys", "os", "traitlets")


def shadowing_files(folder: Path | str) -> list[str]:
    """Files or folders beside the notebook that would shadow a package the grader imports."""
    found = []
    for item in os.scandir(folder):  # links are never followed (nor staged)
        is_dir = item.is_dir(follow_symlinks=False)
        stem = item.name.removesuffix(".py") if item.is_file(follow_symlinks=False) else item.name
        if stem in SHADOWED and (is_dir or Path(item.name).suffix in (".py", ".pyc", ".so", ".pth")):
            found.append(item.name)
    return sorted(found)
