"""A submission is regular files: reading a student's folder without following anything.

Everything the grader reads from ``SUBMITTED`` goes through here (staging, the folder hashes that
decide what to grade again, the similarity search). A submission folder may hold anything an
unzipped LMS download or a student's account can hold: symbolic links (to another student's
notebook, to a file only the grader may read, to ``/proc/self/mem``), FIFOs that block whoever
opens them, device nodes, sockets. So:

* every folder is opened relative to its parent with ``O_NOFOLLOW | O_DIRECTORY`` (from the
  ``SUBMITTED`` folder the instructor named down): a symlinked student or assignment folder is
  refused, never followed, and nothing outside the student's own folder is ever read;
* a folder is listed with :func:`os.scandir` on its descriptor, without following;
* a file is opened only when that listing says it is regular, with ``O_NOFOLLOW | O_NONBLOCK``
  (a FIFO swapped in meanwhile cannot block the open), then checked again on the open descriptor
  (``fstat``: still regular, not larger than the limit) before a byte is read;
* an entry that is not a regular file or folder is left out and named, with what it is
  (:class:`Entry`); one that cannot be read raises :class:`Refused`, whose message says why.
"""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from autograder.limits import DEFAULT_LIMITS

#: The largest file staged from a submission: what the kernel's working folder holds (its tmpfs).
MAX_FILE = DEFAULT_LIMITS.disk
_FILE = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
_FOLDER = os.O_RDONLY | os.O_NOFOLLOW | os.O_DIRECTORY | os.O_CLOEXEC
_CHUNK = 1 << 20


class Refused(OSError):
    """An entry of a submission that is not read (the message says what it is, or why)."""


def kind(mode: int) -> str:
    """What a file of ``mode`` is, for a message: 'a symbolic link', 'a FIFO', ..."""
    for test, name in ((stat.S_ISREG, "a regular file"), (stat.S_ISDIR, "a folder"),
                       (stat.S_ISLNK, "a symbolic link"), (stat.S_ISFIFO, "a FIFO (named pipe)"),
                       (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
                       (stat.S_ISSOCK, "a socket")):
        if test(mode):
            return name
    return "not a regular file"


@dataclass(frozen=True)
class Entry:
    """One entry of a folder, as it is (never what a link points to)."""

    name: str
    mode: int

    @property
    def regular(self) -> bool:
        return stat.S_ISREG(self.mode)

    @property
    def folder(self) -> bool:
        return stat.S_ISDIR(self.mode)

    @property
    def what(self) -> str:
        return kind(self.mode)


def _why(exc):
    return exc.strerror or type(exc).__name__


def open_folder(path: str | Path, under: str | Path | None = None) -> int:
    """A descriptor of the folder ``path``; every component below ``under`` is never followed.

    Without ``under`` only the last component must not be a symbolic link. Raises
    :class:`FileNotFoundError` when only the last component is missing, else :class:`Refused`
    (which names the component that is a link or not a folder).
    """
    path = Path(path)
    top = Path(under) if under is not None else path.parent
    parts = path.relative_to(top).parts if under is not None else (path.name,)
    fd = os.open(top, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        for i, part in enumerate(parts):
            try:
                child = os.open(part, _FOLDER, dir_fd=fd)
            except OSError as exc:
                rel = "/".join(parts[:i + 1])
                try:
                    what = kind(os.stat(part, dir_fd=fd, follow_symlinks=False).st_mode)
                except OSError:
                    what = None
                if what and what != "a folder":
                    raise Refused(f"{rel} is {what} (not followed)") from None
                if what is None and i == len(parts) - 1:
                    raise FileNotFoundError(f"{rel}: no such folder") from None
                raise Refused(f"{rel}: {_why(exc)}") from None
            os.close(fd)
            fd = child
    except BaseException:
        os.close(fd)
        raise
    return fd


def entries(fd: int) -> list[Entry]:
    """Every entry of the open folder ``fd`` (sorted by name), links and all, none followed."""
    found = []
    with os.scandir(fd) as it:
        for e in it:
            try:
                found.append(Entry(e.name, e.stat(follow_symlinks=False).st_mode))
            except OSError:
                found.append(Entry(e.name, 0))
    return sorted(found, key=lambda e: e.name)


def open_file(fd: int, name: str, limit: int = MAX_FILE) -> int:
    """A descriptor of the regular file ``name`` in folder ``fd``: checked after the open."""
    try:
        st = os.stat(name, dir_fd=fd, follow_symlinks=False)
    except OSError as exc:
        raise Refused(f"{name}: {_why(exc)}") from None
    if not stat.S_ISREG(st.st_mode):  # never opened: a device's open may already do something
        raise Refused(f"{name} is {kind(st.st_mode)} (not followed)")
    try:
        f = os.open(name, _FILE, dir_fd=fd)
    except OSError as exc:
        raise Refused(f"{name}: {_why(exc)}") from None
    try:
        st = os.fstat(f)  # what was opened, whatever replaced the entry since the listing
        if not stat.S_ISREG(st.st_mode):
            raise Refused(f"{name} is {kind(st.st_mode)} (not followed)")
        if limit is not None and st.st_size > limit:
            raise Refused(f"{name} is larger than {limit >> 20} MiB")
        os.set_blocking(f, True)
    except BaseException:
        os.close(f)
        raise
    return f


def _chunks(f, limit):
    total = 0
    while True:
        try:
            data = os.read(f, _CHUNK)
        except OSError as exc:
            raise Refused(f"cannot be read: {_why(exc)}") from None
        if not data:
            return
        total += len(data)
        if limit is not None and total > limit:
            raise Refused(f"is larger than {limit >> 20} MiB")
        yield data


def read(fd: int, name: str, limit: int = MAX_FILE) -> bytes:
    """The bytes of the regular file ``name`` in folder ``fd`` (at most ``limit``)."""
    f = open_file(fd, name, limit)
    try:
        return b"".join(_chunks(f, limit))
    except Refused as exc:
        raise Refused(f"{name} {exc}") from None
    finally:
        os.close(f)


def copy(fd: int, name: str, dest: str | Path, limit: int = MAX_FILE) -> None:
    """Copy the regular file ``name`` of folder ``fd`` to the path ``dest`` (a new file)."""
    f = open_file(fd, name, limit)
    try:
        with open(dest, "xb") as out:
            for data in _chunks(f, limit):
                out.write(data)
    except Refused as exc:
        Path(dest).unlink(missing_ok=True)
        raise Refused(f"{name} {exc}") from None
    finally:
        os.close(f)


def read_file(path: str | Path, under: str | Path | None, limit: int = MAX_FILE) -> bytes:
    """The bytes of the regular file ``path``; no component below ``under`` is followed."""
    path = Path(path)
    fd = open_folder(path.parent, under)
    try:
        return read(fd, path.name, limit)
    finally:
        os.close(fd)


def _hash_folder(fd, h, prefix=""):
    for e in entries(fd):
        rel = prefix + e.name
        h.update(rel.encode(errors="surrogateescape") + b"\0" + f"{e.mode:o}".encode() + b"\0")
        if e.folder:
            try:
                child = os.open(e.name, _FOLDER, dir_fd=fd)
            except OSError as exc:
                h.update(f"!{_why(exc)}".encode())
                continue
            try:
                _hash_folder(child, h, rel + "/")
            finally:
                os.close(child)
        elif e.regular:
            try:
                f = open_file(fd, e.name, limit=None)
            except Refused as exc:
                h.update(f"!{exc}".encode())
                continue
            try:
                inner = hashlib.sha256()
                for data in _chunks(f, None):
                    inner.update(data)
                h.update(inner.digest())
            except Refused as exc:
                h.update(f"!{exc}".encode())
            finally:
                os.close(f)
        elif stat.S_ISLNK(e.mode):  # the link itself, never what it points to
            try:
                h.update(os.readlink(e.name, dir_fd=fd).encode(errors="surrogateescape"))
            except OSError:
                pass


def folder_hash(folder: str | Path, under: str | Path | None = None) -> str:
    """A hash of everything under ``folder`` (names, kinds, contents of regular files).

    Nothing is followed (below ``under``, see :func:`open_folder`) and nothing raises: a folder
    that cannot be opened hashes as what is wrong with it, a missing one as ''.
    """
    if not os.path.lexists(folder):
        return ""
    h = hashlib.sha256()
    try:
        fd = open_folder(folder, under)
    except OSError as exc:
        h.update(f"!{exc}".encode())
        return h.hexdigest()
    try:
        _hash_folder(fd, h)
    except OSError as exc:
        h.update(f"!{exc}".encode())
    finally:
        os.close(fd)
    return h.hexdigest()


def not_regular(folder: str | Path, names: Iterable[str]) -> set[str]:
    """For :func:`shutil.copytree`'s ``ignore``: the ``names`` that are neither files nor folders."""
    out = set()
    for name in names:
        try:
            mode = os.lstat(os.path.join(folder, name)).st_mode
        except OSError:
            out.add(name)
            continue
        if not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
            out.add(name)
    return out


def submitted_paths(submitted: str | Path, assignment: str, name: str) -> list[Path]:
    """``SUBMITTED/<student>/<assignment>/<name>`` for every student folder that is a folder.

    Only the names are looked up (a student folder that is a link is skipped, never listed);
    read each with :func:`read_file` under ``submitted``.
    """
    try:
        fd = open_folder(submitted, under=submitted)
    except OSError:
        return []
    try:
        students = [e.name for e in entries(fd) if e.folder and not e.name.startswith(".")]
    finally:
        os.close(fd)
    return [Path(submitted, s, assignment, name) for s in students]
