"""What failing checks say: values printed readably, the difference of two results named."""

import numpy as np
import pytest

from autograder.checks.core import CheckFailed, expect
from autograder.checks.messages import difference, fmt


def test_large_arrays_print_aligned_and_summarised():
    big = np.arange(2000.0).reshape(40, 50) / 7
    with pytest.raises(CheckFailed) as info:
        expect(big + 1, big, "h()")
    message = str(info.value)
    assert "2000 of 2000 entries differ, the first at index (0, 0): expected 0, got 1" in message
    assert len(message) < 1500 and "..." in message, message
    rows = [line for line in message.splitlines() if line.startswith("    ") and "[" in line]
    assert len(rows) == 12 and max(len(line) for line in rows) <= 100, message
    assert len({line.index(",") for line in rows}) == 1, "the columns are not aligned"


def test_long_lists_and_tuples_are_summarised():
    assert fmt(list(range(1000))) == "[0, 1, 2, ..., 997, 998, 999]"
    assert fmt((0.5,)) == "(0.5,)"
    assert len(fmt("x" * 5000)) <= 200


def test_the_difference_names_nested_items_and_says_when_a_tuple_is_missing():
    expected = ((np.zeros((2, 2)), np.zeros(2)), (np.zeros((2, 1)), np.zeros(1)))
    names = (("dW1", "db1"), ("dW2", "db2"))
    got = ((np.zeros((2, 2)), np.zeros(2)), (np.zeros((2, 1)), np.ones(1)))
    assert difference(got, expected, names=names) == "db2 is wrong: expected [0.], got [1.]"
    assert difference(expected, expected, names=names) is None
    assert difference(np.zeros(3), expected, names=names) == (
        "the result should be a tuple of 2 values ((dW1, db1), (dW2, db2)), but it is an array "
        "of shape (3,)")


def test_arguments_are_described_by_what_they_are_never_by_their_repr():
    from autograder.checks.core import case

    assert fmt(np.random.default_rng(3)) == "<a generator seeded with 3>"
    used = np.random.default_rng(3)
    used.normal()
    assert fmt(used) == "<a generator seeded with 3, already drawn from>"
    assert fmt(np.random.default_rng()) == "<a random generator>"
    text = case(np.zeros(2), rng=np.random.default_rng(5)).describe("f")
    assert text == "f([0., 0.], rng=<a generator seeded with 5>)"
    assert "0x" not in fmt(object()) and fmt(object()) == "<a object>"


def test_a_list_of_differently_shaped_items_is_compared_item_by_item():
    # lesson 12's sweep returns one gradient per node: numbers and arrays side by side
    expected = [np.ones(3), 2.0]
    assert difference([np.ones(3), 2.0], expected) is None
    assert "result[1] is wrong: expected 2, got 1" in difference([np.ones(3), 1.0], expected)


def _error_of(operation):
    try:
        operation()
    except Exception as exc:  # noqa: BLE001 - the error is what is told
        return exc
    raise AssertionError("the operation did not raise")


def test_numpys_shape_errors_are_told_in_the_lessons_words_other_errors_as_they_are():
    from autograder.checks.messages import raised

    A, B = np.ones((2, 4)), np.ones((3, 4))
    said, shapes = raised(_error_of(lambda: A @ B))
    assert shapes and "left factor's last size is 4 but the right factor's first size is 3" in said
    said, shapes = raised(_error_of(lambda: np.dot(A, B)))
    assert shapes and "dot product of shapes (2,4) and (3,4)" in said, said
    said, shapes = raised(_error_of(lambda: np.ones((3, 4)) * np.ones((4, 3))))
    assert shapes and "element-wise operation on shapes (3,4) and (4,3)" in said, said
    assert "gufunc" not in said and "operands" not in said
    said, shapes = raised(_error_of(lambda: np.ones(8).reshape(3, 3)))
    assert not shapes and said == "ValueError: cannot reshape array of size 8 into shape (3,3)"
    assert raised(KeyError("k")) == ("KeyError: 'k'", False)
