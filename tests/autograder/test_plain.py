"""Plain data across the kernel boundary: what round-trips, and what is refused by name."""

import base64
import io
import json

import numpy as np
import pytest

from ann_lib import activations
from autograder import plain


def test_plain_values_round_trip_with_their_types():
    value = (None, True, 3, 2.5, float("nan"), "s", np.float64(1.5), np.int64(7),
             np.arange(6.0).reshape(2, 3), np.array(0.0), [np.zeros(2), (1, 2)], {"k": [1.0]})
    back = plain.decode(plain.encode(value))
    assert type(back) is tuple and len(back) == len(value)
    assert back[:4] == (None, True, 3, 2.5) and np.isnan(back[4]) and back[5] == "s"
    assert type(back[6]) is np.float64 and back[6] == 1.5
    assert type(back[7]) is np.int64 and back[7] == 7
    np.testing.assert_array_equal(back[8], value[8])
    assert back[9].shape == () and type(back[9]) is np.ndarray
    assert type(back[10]) is list and type(back[10][1]) is tuple
    assert back[11] == {"k": [1.0]}


@pytest.mark.parametrize(("value", "named"), [
    (np.array(["a"]), "dtype <U1"),
    (np.array([object()]), "dtype object"),
    (np.ma.masked_array([1.0]), "MaskedArray"),
    (np.arange(2.0).view(type("Agreeable", (np.ndarray,), {})), "Agreeable"),
    (type("Fake", (), {"__eq__": lambda s, o: True, "__float__": lambda s: 1.0})(), "Fake"),
    (lambda x: x, "function"),
    ({1: 2.0}, "keys are not all strings"),
])
def test_anything_else_is_refused_with_what_it_was(value, named):
    with pytest.raises(plain.NotPlain, match=named):
        plain.encode(value)


def test_named_references_and_rngs_travel_only_when_allowed():
    rng = np.random.default_rng(5)
    rng.random()
    text = plain.encode([activations.sigmoid, np.tanh, rng], extras=("ref", "rng"))
    fn, ufunc, back = plain.decode(text, extras=("ref", "rng"))
    assert fn is activations.sigmoid and ufunc is np.tanh
    assert back.random() == rng.random()
    with pytest.raises(plain.NotPlain, match="ref"):
        plain.decode(text, extras=("rng",))


def test_a_reference_outside_the_course_is_refused():
    doc = {"~": "ref", "module": "os", "name": "system"}
    buf = io.BytesIO()
    np.savez(buf, doc=np.frombuffer(json.dumps(doc).encode(), dtype=np.uint8))
    with pytest.raises(plain.NotPlain, match="reference into 'os'"):
        plain.decode(base64.b64encode(buf.getvalue()).decode(), extras=("ref",))


def test_pickled_arrays_and_garbage_are_refused():
    buf = io.BytesIO()
    doc = {"~": "nd", "i": 0}
    np.savez(buf, doc=np.frombuffer(json.dumps(doc).encode(), dtype=np.uint8),
             a0=np.array([{"evil": 1}], dtype=object))
    with pytest.raises(plain.NotPlain, match="array 0"):
        plain.decode(base64.b64encode(buf.getvalue()).decode())
    with pytest.raises(plain.NotPlain, match="malformed"):
        plain.decode("not base64 at all!")
    with pytest.raises(plain.NotPlain, match="not text"):
        plain.decode(b"bytes")


def test_fingerprints_are_equal_for_equal_data_only():
    a = [np.arange(3.0), {"x": 1}]
    assert plain.fingerprint(a) == plain.fingerprint([np.arange(3.0), {"x": 1}])
    assert plain.fingerprint(a) != plain.fingerprint([np.arange(3), {"x": 1}])
    assert plain.fingerprint(a) != plain.fingerprint([np.arange(3.0).reshape(3, 1), {"x": 1}])
