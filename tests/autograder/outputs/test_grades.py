"""outputs/grades.py: the rows of ``grades.csv`` as typed records, and the file they make.

No kernel: rows are built by hand, the file is read back with the csv module.
"""

from __future__ import annotations

import csv

from autograder.outputs.diagnosis import Diagnosis
from autograder.outputs.grades import COLUMNS, Row, write_grades


def test_a_row_goes_to_plain_data_and_back_with_its_diagnoses():
    row = Row("ann", "01_neuron", "01_neuron.ipynb", "test_step", 0.0, 2.0, status="kernel died",
              flags="extra notebooks: x.ipynb", comment="see me", graded=False,
              diagnoses=(Diagnosis("step", "mistake", "step_strict", "z >= 0 is 1"),))
    plain = row.as_dict()
    assert plain["diagnoses"] == [{"check": "step", "kind": "mistake", "mistake": "step_strict",
                                   "message": "z >= 0 is 1"}]
    assert set(plain) == {*COLUMNS, "graded", "diagnoses"}
    again = Row(**plain)
    assert again == row
    assert isinstance(again.diagnoses[0], Diagnosis)


def test_diagnoses_given_as_plain_dicts_become_records_and_missing_fields_are_empty():
    row = Row("ann", "01_neuron", "01_neuron.ipynb", "test_step", 0.0, 2.0,
              diagnoses=[{"check": "step", "kind": "not_implemented"}])
    assert row.diagnoses == (Diagnosis("step", "not_implemented", "", ""),)


def test_grades_csv_is_sorted_by_student_and_assignment_with_numbers_as_numbers(tmp_path):
    rows = [Row("zoe", "02_standardizing", "02.ipynb", "test_a", 1.5, 2.0),
            Row("ann", "02_standardizing", "02.ipynb", "test_b", 0.0, 1.0, comment="=HYPERLINK(x)"),
            Row("ann", "01_neuron", "01.ipynb", "test_c", 2.0, 2.0, flags="-rm -rf")]
    path = write_grades(rows, tmp_path / "out")
    assert path == tmp_path / "out" / "grades.csv"
    header, *body = list(csv.reader(path.open(newline="")))
    assert header == COLUMNS
    assert [(r[0], r[1]) for r in body] == [("ann", "01_neuron"), ("ann", "02_standardizing"),
                                            ("zoe", "02_standardizing")]
    by_exercise = {r[3]: dict(zip(header, r)) for r in body}
    assert by_exercise["test_a"]["score"] == "1.5" and by_exercise["test_c"]["max_score"] == "2"
    assert by_exercise["test_b"]["comment"] == "'=HYPERLINK(x)"  # text that could run as a formula
    assert by_exercise["test_c"]["flags"] == "'-rm -rf"
    assert by_exercise["test_a"]["status"] == "ok"
