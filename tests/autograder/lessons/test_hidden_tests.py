"""Which checks each test cell calls, read from the course's own cells: the instructor's solutions
and the graded cells shipped with the package say the same, for every lesson."""

import pytest

from autograder import notebooks
from autograder.checks.core import Check
from autograder.lessons import checks_module, hidden_tests, module_name
from autograder.release.build import lessons
from autograder.settings import REPO


@pytest.mark.parametrize("lesson", lessons())
def test_every_test_cell_calls_checks_of_its_lesson_and_both_sources_agree(lesson, tmp_path):
    module = f"autograder.lessons.{module_name(lesson)}"
    from_solutions = hidden_tests(REPO, module)
    from_package = hidden_tests(tmp_path, module)  # no solutions/ there: the package's data
    test_ids = {gid for path in (REPO / "solutions" / lesson).glob("*.ipynb")
                for gid, _ in notebooks.test_cells(notebooks.read(path))}
    assert set(from_solutions) == test_ids
    assert from_package == from_solutions
    for calls in from_solutions.values():
        assert calls, "a test cell without a hidden check"
        for check, _answer in calls:
            assert isinstance(getattr(checks_module(lesson), check), Check)


def test_an_unknown_lesson_module_has_no_hidden_tests(tmp_path):
    assert hidden_tests(tmp_path, "autograder.lessons.no_such_topic") == {}
