"""``ann-course build`` never overwrites a learner's work in ``course/``: the real build (nbgrader's
generate_assignment) into a course folder where a learner answered an exercise."""

import json

from autograder import notebooks
from autograder.release.build import build
from autograder.release.release_files import MANIFEST, digest, explain

LESSON, NOTEBOOK = "01_neuron", "01_neuron.ipynb"
ANSWER = "def weighted_sum(x, w, b):\n    return float(x @ w + b)  # my own answer\n"


def test_a_rebuild_keeps_a_learners_answers_says_so_and_still_adds_new_lessons(tmp_path):
    course = tmp_path / "course"
    assert [p.name for p in build([LESSON], dest=course)] == [NOTEBOOK]
    path = course / LESSON / NOTEBOOK
    assert json.loads((course / MANIFEST).read_text())[f"{LESSON}/{NOTEBOOK}"] == digest(path)
    nb = notebooks.read(path)
    answer = next(c for c in nb.cells if notebooks.is_answer(c))
    answer.source = ANSWER
    notebooks.write(nb, path)
    edited = path.read_bytes()
    (course / LESSON / "my_notes.md").write_text("my notes")

    kept = []
    written = build([LESSON, "02_standardizing"], dest=course, kept=kept)

    assert path.read_bytes() == edited
    assert kept == [path]
    assert [p.name for p in written] == ["02_standardizing.ipynb"]  # the new lesson is added
    assert (course / "02_standardizing" / "02_standardizing.ipynb").is_file()
    assert (course / LESSON / "my_notes.md").read_text() == "my notes"
    message = explain(kept, tmp_path)
    assert f"course/{LESSON}/{NOTEBOOK}" in message and "NOT written" in message
    assert "move yours away first" in message


def test_a_notebook_nobody_changed_is_replaced_by_the_new_release(tmp_path):
    course = tmp_path / "course"
    build([LESSON], dest=course)
    path = course / LESSON / NOTEBOOK
    fresh = path.read_bytes()
    # as if an earlier build had written an older release of the lesson
    old = notebooks.read(path)
    old.cells = old.cells[:3]
    notebooks.write(old, path)
    manifest = json.loads((course / MANIFEST).read_text())
    manifest[f"{LESSON}/{NOTEBOOK}"] = digest(path)
    (course / MANIFEST).write_text(json.dumps(manifest))
    kept = []
    assert [p.name for p in build([LESSON], dest=course, kept=kept)] == [NOTEBOOK]
    assert kept == [] and path.read_bytes() == fresh
