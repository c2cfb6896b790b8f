"""A student's feedback follows what the instructor grades by hand in formgrader.

A grading job writes a submission's feedback from its own copy of the gradebook, which holds the
autograder's scores only. Once the scores are in the class gradebook, :func:`refresh` writes
again, with nbgrader's generate_feedback on the class gradebook, the feedback of every
submission that has manual scores, extra credit or comments that the feedback does not show
yet: after each ``ann-course grade`` and ``ann-course export OUT``. What was shown is kept as a
fingerprint per submission in ``OUT/.nbgrader/manual.json``, so an unchanged class costs nothing.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Collection, Iterable
from pathlib import Path
from typing import Any


def fingerprints(db_url: str, pairs: Iterable[tuple[str, str]]) -> dict[str, list[list[Any]]]:
    """``{"student/assignment": [manual facts]}`` of the gradebook's submissions ``pairs``."""
    from nbgrader.api import Gradebook, MissingEntry

    found = {}
    with Gradebook(db_url) as gb:
        for student, assignment in sorted(pairs):
            try:
                sub = gb.find_submission(assignment, student)
            except MissingEntry:
                continue
            facts = []
            for nb in sorted(sub.notebooks, key=lambda n: n.name):
                facts += [[nb.name, g.name, g.manual_score, g.extra_credit] for g in nb.grades
                          if g.manual_score is not None or g.extra_credit]
                facts += [[nb.name, c.name, c.manual_comment] for c in nb.comments
                          if c.manual_comment]
            found[f"{student}/{assignment}"] = sorted(facts, key=repr)
    return found


def refresh(out: str | Path, run: dict[str, Any], regraded: Collection[str] = ()) -> list[str]:
    """Write again the feedback of the submissions whose manual grading it does not show.

    ``run`` is the run's record (``last_run.json``: its gradebook, root, submitted folder and
    rows); ``regraded`` names the ``student/assignment`` whose feedback a job has just written
    (from the autograder's scores alone). Returns the list of ``student/assignment`` written.
    """
    from autograder.grading import course_gradebook
    from autograder.nbgrader_api import NbgraderError, api, require

    out = Path(out)
    work = out / ".nbgrader"
    state_path = work / "manual.json"
    try:
        shown = json.loads(state_path.read_text()) if state_path.exists() else {}
    except ValueError:
        shown = {}
    pairs = {(r["student_id"], r["assignment"]) for r in run["rows"]
             if r.get("graded", True) and r.get("notebook")}
    now = fingerprints(run["db_url"], pairs)
    stale = sorted(key for key, facts in now.items()
                   if (facts or key in shown) and (facts != shown.get(key) or key in regraded))
    written = []
    if stale:
        root = Path(run["root"])
        nbg = api(work, source_directory=root / "solutions", release_directory=work / "release",
                  submitted_directory=work / "submitted",
                  autograded_directory=work / "autograded", feedback_directory=out / "feedback",
                  db_url=run["db_url"])
        submitted = Path(run["submitted"])
        course = course_gradebook.course_of(submitted) if submitted.is_dir() else None
        for key in stale:
            student, assignment = key.split("/", 1)
            try:
                require(nbg.generate_feedback(assignment, student, force=True),
                        "generate_feedback")
            except NbgraderError as exc:
                print(f"ann-course: the feedback of {key} could not be written again with its "
                      f"manual grades: {exc.cause}", file=sys.stderr)
                now.pop(key, None)
                continue
            if course:
                course_gradebook.publish(course, work, out, student, assignment)
            written.append(key)
    state_path.write_text(json.dumps({k: v for k, v in now.items() if v}))
    return written
