"""Plain data across the kernel boundary: what round-trips, and what is refused by name."""

import base64
import io
import json
import tracemalloc
import zipfile

import numpy as np
import pytest

from ann_lib import activations
from autograder.checks import plain


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


# --- every limit checked before what it limits is read -------------------------------------------

def _archive(members, compression=zipfile.ZIP_STORED):
    """base64 text of a zip of ``{name: bytes}`` (a message as a hostile kernel could send it)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return base64.b64encode(buf.getvalue()).decode("ascii")


def _npy(array_or_header, data=b""):
    buf = io.BytesIO()
    if isinstance(array_or_header, dict):
        np.lib.format.write_array_header_1_0(buf, array_or_header)
        return buf.getvalue() + data
    np.save(buf, array_or_header)
    return buf.getvalue()


DOC = _npy(np.frombuffer(json.dumps({"~": "nd", "i": 0}).encode(), dtype=np.uint8))


def _peak(fn):
    """``fn()``'s exception and the peak of Python allocations while it ran (tracemalloc)."""
    tracemalloc.start()
    try:
        fn()
    except plain.NotPlain as exc:
        return str(exc), tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    raise AssertionError("not refused")


def test_a_compressed_answer_that_would_inflate_to_a_gibibyte_is_refused_before_inflating():
    zeros = np.zeros(1 << 27)  # 1 GiB of float64
    header = {"descr": "<f8", "fortran_order": False, "shape": zeros.shape}
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("doc.npy", DOC, compress_type=zipfile.ZIP_STORED)
        with z.open("a0.npy", "w", force_zip64=True) as f:
            f.write(_npy(header))
            chunk = bytes(1 << 24)
            for _ in range(64):
                f.write(chunk)
    text = base64.b64encode(buf.getvalue()).decode("ascii")
    assert len(text) < 8 << 20  # a small answer ...
    message, peak = _peak(lambda: plain.decode(text))
    assert message == "a compressed member (a0.npy)"
    assert peak < 4 * len(text)  # ... that never took more than a few copies of itself


def test_a_header_that_declares_a_huge_array_is_refused_before_any_allocation():
    header = {"descr": "<f8", "fortran_order": False, "shape": (1 << 40,)}
    text = _archive({"doc.npy": DOC, "a0.npy": _npy(header, b"\0" * 64)})
    message, peak = _peak(lambda: plain.decode(text))
    assert message == f"more than {plain.MAX_BYTES >> 20} MiB of arrays"
    assert peak < 1 << 20


def test_an_array_whose_data_is_not_its_declared_size_is_refused():
    header = {"descr": "<f8", "fortran_order": False, "shape": (4,)}
    text = _archive({"doc.npy": DOC, "a0.npy": _npy(header, b"\0" * 8)})
    with pytest.raises(plain.NotPlain, match="not the size its header declares"):
        plain.decode(text)


def test_an_array_named_many_times_counts_every_time():
    doc = {"~": "list", "items": [{"~": "nd", "i": 0}] * 100}
    text = _archive({"doc.npy": _npy(np.frombuffer(json.dumps(doc).encode(), dtype=np.uint8)),
                     "a0.npy": _npy(np.zeros(1 << 20))})  # 8 MiB, named 100 times
    with pytest.raises(plain.NotPlain, match="MiB of arrays"):
        plain.decode(text)
    doc["items"] = doc["items"][:2]
    text = _archive({"doc.npy": _npy(np.frombuffer(json.dumps(doc).encode(), dtype=np.uint8)),
                     "a0.npy": _npy(np.arange(3.0))})
    first, second = plain.decode(text)
    first[0] = 7.0
    assert second[0] == 0.0  # two arrays, not one seen twice


def test_too_many_members_are_refused_before_they_are_listed():
    members = {"doc.npy": DOC, **{f"a{i}.npy": b"" for i in range(plain.MAX_MEMBERS + 1)}}
    with pytest.raises(plain.NotPlain, match=f"more than {plain.MAX_MEMBERS} arrays"):
        plain.decode(_archive(members))


def test_an_oversized_structure_is_refused_before_it_is_parsed():
    big = np.zeros(plain.MAX_DOC + 1, dtype=np.uint8)
    with pytest.raises(plain.NotPlain, match="oversized structure"):
        plain.decode(_archive({"doc.npy": _npy(big)}))


def test_decoded_arrays_are_writable_and_keep_their_order():
    a = np.asfortranarray(np.arange(6.0).reshape(2, 3))
    back = plain.decode(plain.encode({"a": a, "b": np.int8(-3)}))
    np.testing.assert_array_equal(back["a"], a)
    back["a"][0, 0] = 9.0
    assert back["b"] == -3 and back["b"].dtype == np.int8
