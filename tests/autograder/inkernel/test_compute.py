"""inkernel/compute.py: the kernel's side of a hidden test computes and never judges.

In-process, no kernel: ``begin`` turns a real lesson check into a no-op (the grader judges),
``values`` answers the figures' requests as plain data, each name in its own category.
"""

from __future__ import annotations

import os

import numpy as np
import pytest

from autograder.checks import plain
from autograder.checks.core import GRADER_JUDGES, CheckFailed
from autograder.inkernel import compute
from autograder.lessons import losses


def _wrong_mse(y_true, y_pred):
    return float(np.sum((np.asarray(y_true) - np.asarray(y_pred)) ** 2))  # a sum, not a mean


def test_a_hidden_check_judges_here_until_begin_then_only_computes(monkeypatch):
    monkeypatch.setenv(GRADER_JUDGES, "")  # unset (falsy), and put back as it was after the test
    with pytest.raises(CheckFailed):
        losses.mse(_wrong_mse)
    assert compute.begin() == ""
    assert os.environ[GRADER_JUDGES] == "1"
    assert losses.mse(_wrong_mse) is None  # no verdict in the kernel: the grader gives it


def test_values_sorts_each_name_into_value_function_missing_or_bad():
    namespace = {"W": np.arange(6.0).reshape(2, 3), "lr": 0.1, "f": _wrong_mse, "obj": object()}
    got = plain.decode(compute.values(namespace, plain.encode(["W", "lr", "f", "obj", "nope", 3])),
                       extras=("rng",))
    np.testing.assert_array_equal(got["W"]["value"], namespace["W"])
    assert got["lr"] == {"value": 0.1}
    assert got["f"] == {"function": True}
    assert got["nope"] == {"missing": True}
    assert got["3"] == {"missing": True}  # not a name: never looked up
    assert set(got["obj"]) == {"bad"} and got["obj"]["bad"].startswith("NotPlain")

