"""The release's visible tests catch the common mistakes before a student submits.

For every lesson one real Jupyter kernel runs the release notebook filled in with the solutions;
at each exercise it defines, one after the other, every catalogued wrong answer of that exercise
and every wrong answer written from its prompt's stated properties
(:mod:`tests.autograder.property_mistakes`), and runs the exercise's visible test cells (the
release's test cells: the hidden check removed), recording whether they raised. The share caught
is printed per lesson and in total.
"""

from __future__ import annotations

import queue
from dataclasses import dataclass

import pytest
from jupyter_client.manager import start_new_kernel

from autograder import notebooks
from autograder.checks.core import Check
from autograder.grading.check_notebook import exercise_of
from autograder.lessons import checks_module
from autograder.release.sample_class import solution_answers, submission
from autograder.settings import REPO
from tests.autograder.property_mistakes import MISTAKES, source
from tests.conftest import LESSONS

MIN_TOTAL_SHARE = 0.95


@dataclass(frozen=True)
class Outcome:
    lesson: str
    exercise: str
    mistake: str
    first: bool
    caught: bool
    error: str


@dataclass(frozen=True)
class Wrong:
    """A wrong answer to try: its key and its notebook source under the answer's name."""

    key: str
    code: str


def catalogue(lesson):
    """``{exercise name: [Wrong, ...]}``: every check's catalogue in order, then the property
    mistakes of the lesson's prompts.

    Two checks may grade one function (the capstone's ``train`` has two parts); their catalogues
    are merged, first occurrence first.
    """
    out = {}
    for check in vars(checks_module(lesson)).values():
        if isinstance(check, Check):
            known = out.setdefault(check.function, [])
            known += [Wrong(m.key, m.source(check.function)) for m in check.all_mistakes()
                      if m.key not in {k.key for k in known}]
    for answer, _, wrong in MISTAKES.get(lesson, []):
        out.setdefault(answer, []).append(Wrong(f"property:{wrong.__name__}", source(wrong, answer)))
    return out


class Kernel:
    """A real kernel that runs cells and says whether they raised."""

    def __init__(self):
        self.km, self.kc = start_new_kernel(kernel_name="python3", cwd=str(REPO))

    def run(self, source, timeout=120):
        """``""`` when ``source`` ran cleanly, else ``"ErrorName: message"``."""
        return self._execute(source, timeout)[0]

    def output(self, source, timeout=300):
        """What ``source`` printed; it must run cleanly."""
        error, printed = self._execute(source, timeout)
        assert not error, error
        return printed

    def _execute(self, source, timeout):
        msg_id = self.kc.execute(source, store_history=False)
        error, printed = "", []
        while True:
            try:
                msg = self.kc.get_iopub_msg(timeout=timeout)
            except queue.Empty:
                self.km.interrupt_kernel()
                return "Timeout: the cell did not finish", ""
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            if msg["msg_type"] == "error":
                error = f"{msg['content']['ename']}: {msg['content']['evalue']}"
            if msg["msg_type"] == "stream" and msg["content"]["name"] == "stdout":
                printed.append(msg["content"]["text"])
            if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
                return error, "".join(printed)

    def close(self):
        self.kc.stop_channels()
        self.km.shutdown_kernel(now=True)


def run_mutants(lesson):
    """Every catalogued mistake of ``lesson`` against the release's visible tests, in one kernel."""
    path = next((REPO / "course" / lesson).glob("*.ipynb"))
    nb = submission(lesson, path.name)
    answers = solution_answers(lesson, path.name)
    mistakes = catalogue(lesson)
    tests = {}
    for cell in nb.cells:
        if notebooks.is_test(cell):
            name = exercise_of(notebooks.nbgrader_meta(cell)["grade_id"], list(mistakes))
            tests.setdefault(name, []).append(cell.source)
    outcomes, done = [], set()
    kernel = Kernel()
    try:
        for cell in nb.cells:
            meta_id = notebooks.nbgrader_meta(cell).get("grade_id")
            if meta_id == "imports" or notebooks.is_answer(cell):
                error = kernel.run(cell.source)
                assert not error, f"{lesson}: cell {meta_id} raised {error}"
            if not notebooks.is_test(cell):
                continue
            name = exercise_of(meta_id, list(mistakes))
            if name in done:
                continue
            done.add(name)
            for i, mistake in enumerate(mistakes.get(name, [])):
                error = kernel.run(mistake.code)
                assert not error, f"{lesson}: defining {mistake.key} raised {error}"
                raised = [e for e in (kernel.run(src) for src in tests[name]) if e]
                outcomes.append(Outcome(lesson, name, mistake.key, i == 0, bool(raised),
                                        raised[0] if raised else ""))
            error = kernel.run(answers[name])
            assert not error, f"{lesson}: restoring {name} raised {error}"
            for src in tests[name]:
                error = kernel.run(src)
                assert not error, f"{lesson}: the solution fails the visible test of {name}: {error}"
    finally:
        kernel.close()
    return outcomes


@pytest.fixture(scope="module")
def outcomes():
    return {lesson: run_mutants(lesson) for lesson in LESSONS}


def test_visible_tests_catch_95_percent_of_the_catalogued_and_property_mistakes(outcomes):
    every = [o for lesson in LESSONS for o in outcomes[lesson]]
    for lesson in LESSONS:
        got = outcomes[lesson]
        print(f"{lesson:<22} {sum(o.caught for o in got):>3} of {len(got):>3} caught "
              f"({sum(o.caught for o in got) / max(len(got), 1):.0%})")
    share = sum(o.caught for o in every) / len(every)
    print(f"{'total':<22} {sum(o.caught for o in every):>3} of {len(every):>3} caught ({share:.0%})")
    missed = [f"{o.lesson} {o.exercise}: {o.mistake}" for o in every if not o.caught]
    print("missed:", *missed, sep="\n  ")
    assert share >= MIN_TOTAL_SHARE, missed
    harness = [o for o in every if o.error.startswith("NameError")]
    assert not harness, f"a mistake's code does not run in its notebook: {harness}"


def test_every_visible_test_catches_its_exercises_first_catalogued_mistake(outcomes):
    firsts = [o for lesson in LESSONS for o in outcomes[lesson] if o.first]
    catalogued = sum(1 for lesson in LESSONS for mistakes in catalogue(lesson).values() if mistakes)
    assert len(firsts) == catalogued, "every exercise with a catalogue contributes its first mistake"
    missed = [f"{o.lesson} {o.exercise}: {o.mistake}" for o in firsts if not o.caught]
    assert not missed, missed
