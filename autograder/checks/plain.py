"""Plain data across the kernel boundary: what the grader sends a kernel and what it accepts back.

Values are encoded as one ``.npz`` archive (base64 text, so that it travels inside a message): its
arrays are numeric NumPy arrays, and a small JSON document (stored as bytes in the archive) holds
the structure. Decoding reads that archive itself, never unpickling and never inflating: every
size (the text, the number of arrays, each array's declared shape and dtype) is checked before
what it sizes is read (:func:`decode`). It accepts only

* ``None``, ``bool``, ``int``, ``float``, ``str``;
* NumPy arrays and scalars of a boolean, integer or floating dtype (never an object or a subclass);
* tuples, lists and string-keyed dicts of the above;

and, from the grader to a kernel only, two kinds of arguments that a kernel rebuilds:

* a *named reference* to a function of ``numpy``, ``ann_lib`` or the lesson checks
  (``{"~": "ref", "module": "ann_lib.activations", "name": "sigmoid"}``);
* a NumPy random generator, as its bit generator's state (``{"~": "rng", "state": {...}}``).

Anything else is refused with :class:`NotPlain`: the grader never runs code a kernel sent, and
never looks at an object a kernel made.
"""

from __future__ import annotations

import base64
import importlib
import io
import json
import math
from collections.abc import Sequence
from typing import Any

import numpy as np

#: The most one message may hold (bytes of arrays).
MAX_BYTES = 64 << 20
#: The longest message (its base64 text), checked before anything of it is decoded.
MAX_CHARS = 4 * MAX_BYTES // 3 + 4096
#: The largest message a kernel may send the grader (a reply of :data:`MAX_CHARS` fits in it).
MAX_MESSAGE = 128 << 20
#: The largest structure (the JSON document beside the arrays), and number of arrays, of a message.
MAX_DOC = 8 << 20
MAX_MEMBERS = 10000
#: The longest ``.npy`` header accepted (numpy's own default).
MAX_HEADER = 10000
#: The deepest nesting of tuples, lists and dicts accepted.
MAX_DEPTH = 32
#: Where a named reference may point.
REF_MODULES = ("numpy", "ann_lib", "autograder.lessons")
NUMERIC_KINDS = "biuf"


class NotPlain(ValueError):
    """A value that is not plain data (the message names what it was)."""


def _kind(value):
    """A short description of a value's type for messages (never calls the value's methods)."""
    t = type(value)
    return f"{t.__module__}.{t.__qualname__}" if t.__module__ != "builtins" else t.__qualname__


class _Encoder:
    def __init__(self, extras):
        self.arrays = []
        self.extras = extras

    def array(self, a: np.ndarray) -> int:
        self.size = getattr(self, "size", 0) + a.nbytes
        if self.size > MAX_BYTES:
            raise NotPlain(f"more than {MAX_BYTES >> 20} MiB of arrays")
        self.arrays.append(a)
        return len(self.arrays) - 1

    def encode(self, v: Any, depth: int = 0) -> Any:
        if depth > MAX_DEPTH:
            raise NotPlain(f"nested more than {MAX_DEPTH} levels deep")
        t = type(v)
        if v is None or t in (bool, int, str):
            return v
        if t is float:
            return {"~": "float", "v": repr(v)}  # keeps nan, inf and every bit
        if t is np.ndarray or isinstance(v, np.generic) and t.__module__ == "numpy":
            if v.dtype.kind not in NUMERIC_KINDS:
                raise NotPlain(f"a NumPy {'array' if t is np.ndarray else 'scalar'} of dtype "
                               f"{v.dtype}")
            arr = np.array(v, order="C")
            return {"~": "nd" if t is np.ndarray else "scalar", "i": self.array(arr)}
        if t is tuple or t is list:
            return {"~": t.__name__, "items": [self.encode(x, depth + 1) for x in v]}
        if t is dict:
            if not all(type(k) is str for k in v):
                raise NotPlain("a dict whose keys are not all strings")
            return {"~": "dict", "items": [[k, self.encode(x, depth + 1)] for k, x in v.items()]}
        if t is np.random.Generator and "rng" in self.extras:
            return {"~": "rng", "state": v.bit_generator.state}
        ref = _reference(v) if "ref" in self.extras else None
        if ref:
            return {"~": "ref", "module": ref[0], "name": ref[1]}
        raise NotPlain(f"an object of type {_kind(v)}")


def _reference(fn):
    """``(module, name)`` of a function importable from :data:`REF_MODULES`, else None."""
    if isinstance(fn, np.ufunc):
        return ("numpy", fn.__name__) if getattr(np, fn.__name__, None) is fn else None
    module, name = getattr(fn, "__module__", None), getattr(fn, "__qualname__", "")
    if not (callable(fn) and isinstance(module, str) and name.isidentifier()):
        return None
    if not any(module == m or module.startswith(m + ".") for m in REF_MODULES):
        return None
    return (module, name) if getattr(importlib.import_module(module), name, None) is fn else None


def check(value: object, extras: Sequence[str] = ()) -> None:
    """Raise NotPlain unless :func:`encode` would accept ``value`` (its walk, without the archive)."""
    _Encoder(extras).encode(value)


def encode(value: object, extras: Sequence[str] = ()) -> str:
    """``value`` as base64 text of an ``.npz`` archive; raises NotPlain for anything else.

    ``extras`` may allow ``"ref"`` (named references; the grader's requests only) and ``"rng"``
    (random generators).
    """
    enc = _Encoder(extras)
    doc = enc.encode(value)
    buf = io.BytesIO()
    arrays = {f"a{i}": a for i, a in enumerate(enc.arrays)}
    np.savez(buf, doc=np.frombuffer(json.dumps(doc).encode(), dtype=np.uint8), **arrays)
    return base64.b64encode(buf.getvalue()).decode("ascii")


class _Decoder:
    def __init__(self, arrays, extras):
        self.arrays = arrays
        self.extras = extras
        self.size = 0
        self.used = set()

    def array(self, i: object) -> np.ndarray:
        if type(i) is not int:
            raise NotPlain("an array reference that is not a number")
        a = self.arrays.get(f"a{i}")
        if a is None:
            raise NotPlain(f"array {i}: there is no such array")
        self.size += a.nbytes  # every reference counts: the same array named twice is two arrays
        if self.size > MAX_BYTES:
            raise NotPlain(f"more than {MAX_BYTES >> 20} MiB of arrays")
        if i in self.used:
            return a.copy()
        self.used.add(i)
        return a

    def decode(self, d: Any, depth: int = 0) -> Any:
        if depth > MAX_DEPTH:
            raise NotPlain(f"nested more than {MAX_DEPTH} levels deep")
        if d is None or type(d) in (bool, int, str):
            return d
        if type(d) is not dict or "~" not in d:
            raise NotPlain(f"an unknown item of type {type(d).__name__}")
        tag = d["~"]
        if tag == "float":
            return float(d["v"])
        if tag == "nd":
            return self.array(d["i"])
        if tag == "scalar":
            a = self.array(d["i"])
            if a.shape != ():
                raise NotPlain("a scalar that is not 0-d")
            return a[()]
        if tag in ("tuple", "list"):
            items = [self.decode(x, depth + 1) for x in d["items"]]
            return tuple(items) if tag == "tuple" else items
        if tag == "dict":
            return {str(k): self.decode(x, depth + 1) for k, x in d["items"]}
        if "rng" in self.extras and tag == "rng":
            return _generator(d["state"])
        if "ref" in self.extras and tag == "ref":
            return _resolve(d["module"], d["name"])
        raise NotPlain(f"an item tagged {str(tag)[:40]!r}")


def fingerprint(value: object, extras: Sequence[str] = ("ref", "rng")) -> str:
    """A digest of ``value``'s encoding: equal for equal plain data, whenever it is computed."""
    import hashlib

    enc = _Encoder(extras)
    h = hashlib.sha256(json.dumps(enc.encode(value), sort_keys=True).encode())
    for a in enc.arrays:
        h.update(f"{a.dtype.str}{a.shape}".encode())
        h.update(a.tobytes())
    return h.hexdigest()


def _generator(state):
    bitgen = getattr(np.random, str(state.get("bit_generator")), None)
    if not (isinstance(bitgen, type) and issubclass(bitgen, np.random.BitGenerator)):
        raise NotPlain("a random generator of an unknown kind")
    gen = np.random.Generator(bitgen())
    gen.bit_generator.state = state
    return gen


def _resolve(module, name):
    if not any(module == m or module.startswith(m + ".") for m in REF_MODULES):
        raise NotPlain(f"a reference into {module!r}")
    fn = getattr(importlib.import_module(module), name, None)
    if not callable(fn):
        raise NotPlain(f"a reference to {module}.{name}, which is not a function")
    return fn


def _members(raw):
    """How many members the archive's end record declares, read before anything else of it."""
    end = raw.rfind(b"PK\x05\x06", max(0, len(raw) - 22 - 0xFFFF))
    if end < 0 or len(raw) < end + 22:
        raise NotPlain("a malformed message (not an archive)")
    if end >= 20 and raw[end - 20:end - 16] == b"PK\x06\x07":
        raise NotPlain("a ZIP64 archive (more members or bytes than a message may hold)")
    return int.from_bytes(raw[end + 10:end + 12], "little")


def _npy(fp, name, limit):
    """The array of one ``.npy`` member: its header read and checked before any data is copied."""
    from numpy.lib import format as npy

    version = npy.read_magic(fp)
    if version not in ((1, 0), (2, 0)):
        raise NotPlain(f"{name}: an .npy of version {version}")
    read_header = npy.read_array_header_1_0 if version == (1, 0) else npy.read_array_header_2_0
    shape, fortran, dtype = read_header(fp, max_header_size=MAX_HEADER)
    if dtype.kind not in NUMERIC_KINDS or dtype.fields is not None or dtype.subdtype is not None:
        raise NotPlain(f"{name}: an array of dtype {dtype}")
    if not all(type(n) is int and n >= 0 for n in shape):
        raise NotPlain(f"{name}: an array of shape {shape!r}")
    nbytes = math.prod(shape) * dtype.itemsize  # Python integers: no overflow
    if nbytes > limit:
        raise NotPlain("an oversized structure" if name == "the structure" else
                       f"more than {MAX_BYTES >> 20} MiB of arrays")
    buf = bytearray(nbytes)
    if fp.readinto(buf) != nbytes or fp.read(1):
        raise NotPlain(f"{name}: its data is not the size its header declares")
    return np.frombuffer(buf, dtype=dtype).reshape(shape, order="F" if fortran else "C")


def _archive(raw):
    """``{name: array}`` of the archive ``raw``: every limit checked before it is read.

    Members must be stored, as :func:`encode` writes them (never compressed: nothing inflates);
    each ``.npy`` header's shape and dtype are checked against what is left of the limits before
    its data is copied.
    """
    import zipfile

    if _members(raw) > MAX_MEMBERS:
        raise NotPlain(f"more than {MAX_MEMBERS} arrays")
    arrays, left = {}, MAX_BYTES
    with zipfile.ZipFile(io.BytesIO(raw)) as z:
        infos = z.infolist()
        if len(infos) > MAX_MEMBERS:
            raise NotPlain(f"more than {MAX_MEMBERS} arrays")
        for info in infos:
            name = info.filename.removesuffix(".npy")
            if info.compress_type != zipfile.ZIP_STORED or info.compress_size != info.file_size:
                raise NotPlain(f"a compressed member ({info.filename})")
            if not info.filename.endswith(".npy") or name in arrays:
                raise NotPlain(f"an unexpected member ({info.filename[:40]!r})")
            limit = MAX_DOC if name == "doc" else left
            if info.file_size > limit + MAX_HEADER + 16:
                raise NotPlain("an oversized structure" if name == "doc" else
                               f"more than {MAX_BYTES >> 20} MiB of arrays")
            with z.open(info) as fp:
                label = "the structure" if name == "doc" else f"array {name[1:]}"
                arrays[name] = _npy(fp, label, limit)
            if name != "doc":
                left -= arrays[name].nbytes
    if "doc" not in arrays or arrays["doc"].dtype != np.uint8:
        raise NotPlain("a message without its structure")
    return arrays


def decode(text: str, extras: Sequence[str] = (), max_chars: int = MAX_CHARS) -> Any:
    """The value :func:`encode` wrote into ``text``; raises NotPlain for anything else.

    Every limit is checked before what it limits is decoded: the text's length, the archive's
    number of members, each member's stored size, each array's declared shape and dtype (so a
    message never takes more than about twice :data:`MAX_BYTES` of the grader's memory).
    """
    if not isinstance(text, str):
        raise NotPlain(f"a message of type {_kind(text)}, not text")
    if len(text) > max_chars:
        raise NotPlain(f"a message of {len(text)} characters (more than {max_chars})")
    try:
        raw = base64.b64decode(text.encode("ascii"), validate=True)
        arrays = _archive(raw)
        del raw
        doc = json.loads(arrays.pop("doc").tobytes().decode())
        return _Decoder(arrays, extras).decode(doc)
    except NotPlain:
        raise
    except Exception as exc:  # noqa: BLE001 - any malformed message is refused the same way
        raise NotPlain(f"a malformed message ({type(exc).__name__}: {str(exc)[:200]})") from None
