"""The feedback page of a notebook that could not be graded: what went wrong, and what to do.

A renamed, unreadable or missing notebook scores 0 in grades.csv with a status that says why; the
student, who reads feedback and not grades.csv, gets a page in the same place as a graded
notebook's (``feedback/<student>/<assignment>/<notebook>.html``) that says it in her words. It is
as inert as any feedback page (:data:`autograder.outputs.feedback_page.CSP`, everything escaped).
"""

from __future__ import annotations

import html
import shutil
from pathlib import Path

from autograder.outputs.feedback_page import CSP, PAGE_CSS


def advice(status: str, name: str, assignment: str) -> str:
    """What the student should do about ``status`` (a grades.csv status of a notebook)."""
    if status.startswith("missing notebook"):
        if "renamed" in status:
            return (f"Your folder {assignment}/ has no notebook named {name}, so there was nothing "
                    f"to grade under that name. Rename your notebook back to {name} (the name the "
                    "Assignment List fetched), keep it in that folder, and submit again before the "
                    "deadline; if the deadline has passed, tell your instructor.")
        return (f"Your submission of {assignment} has no notebook named {name}. Open the "
                f"Assignment List, make sure {assignment}/{name} is in your folder (Fetch it "
                "again if you deleted it, then copy your answers back), and submit again.")
    if status.startswith("unreadable notebook"):
        return (f"{name} is not a notebook Jupyter can read (the file is damaged, empty, or was "
                "saved in another format). Open it in JupyterLab: if it does not open, fetch "
                f"{assignment} again under another folder name, copy your answers into the fresh "
                f"copy, save it as {name}, run Validate, and submit again.")
    return (f"The grader could not run {name}. Restart the kernel and run all cells, press "
            "Validate, and submit again; if this page comes back, show it to your instructor.")


def page(student: str, assignment: str, name: str, status: str, max_score: float) -> str:
    """The HTML of the page (every value escaped)."""
    e = html.escape
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{e(CSP)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{e(name)}: not graded</title>
<style>
body {{ font-family: system-ui, sans-serif; line-height: 1.5; margin: 0 auto; max-width: 46em;
       padding: 1em; }}
h1 {{ font-size: 1.6em; }}
.status {{ background: #fdecea; border-left: 4px solid #d2413a; padding: 0.6em 0.9em;
          overflow-wrap: anywhere; }}
{PAGE_CSS}
</style>
</head>
<body>
<h1 class="score">{e(name)} (Score: 0 / {max_score:g})</h1>
<p>{e(assignment)}, submitted by {e(student)}: <strong>this notebook could not be graded.</strong></p>
<p class="status">{e(status)}</p>
<h2>What to do</h2>
<p class="advice">{e(advice(status, name, assignment))}</p>
</body>
</html>
"""


#: What nbgrader's release_feedback needs beside a page (the submission's own, from collect).
RELEASE_FILES = ("timestamp.txt", "submission_secret.txt")


def write_pages(feedback: Path | str, submitted: Path | str, student: str, assignment: str,
                problems: dict[str, str],
                expected: dict[str, list[tuple[str, float]]]) -> list[Path]:
    """Write a page for each notebook of ``problems`` (``{notebook: status}``) into
    ``feedback/<student>/<assignment>/``; returns the paths written.

    A renamed notebook's page is also written under the name the student gave it: that is the
    name nbgrader's fetch_feedback looks for. The submission's timestamp.txt and
    submission_secret.txt go beside the pages (regular files only), as for graded notebooks, so
    that ``nbgrader release_feedback`` releases them.
    """
    folder = Path(feedback) / student / assignment
    handed_in = Path(submitted) / student / assignment
    if not handed_in.is_dir() or handed_in.is_symlink():  # nothing submitted: nowhere to send it
        return []
    found = sorted(p.stem for p in handed_in.glob("*.ipynb") if p.name not in expected)
    written = []
    for name, status in sorted(problems.items()):
        points = sum(p for _, p in expected.get(name, []))
        stems = [Path(name).stem, *(found if status.startswith("missing notebook") else [])]
        folder.mkdir(parents=True, exist_ok=True)
        for stem in stems:
            target = folder / f"{stem}.html"
            target.write_text(page(student, assignment, name, status, points), encoding="utf-8")
            written.append(target)
    for file in RELEASE_FILES:
        src = handed_in / file
        if written and src.is_file() and not src.is_symlink() and not (folder / file).exists():
            shutil.copyfile(src, folder / file)
    return written
