"""Folders for Unix sockets: a socket's path has at most 107 bytes (``sun_path``).

A kernel reached over IPC has its sockets at ``<folder>/k-<n>``; a warm kernel's are two levels
deeper, in its zygote's spool (``<spool>/k<8>/c/k-<n>``). Under a long temporary folder (a
CI's ``/tmp/pytest-of-root/pytest-284/popen-gw1/.../tmp/ann-run-<pid>-<8>``) they would not
fit, so :func:`folder` makes such a folder in :data:`SHORT_ROOT` instead, named
``ann-s<pid>-*`` after the process that made it: it is removed by its owner, and by
:func:`sweep` once that process is gone.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

#: The longest path a Unix socket can be bound to (``sizeof(sun_path) - 1`` on Linux).
SOCKET_PATH_MAX = 107
#: Where a socket folder goes when the temporary folder is too deep for its sockets.
SHORT_ROOT = "/tmp"
PREFIX = "ann-s"


def folder(prefix: str, room: int) -> str:
    """A new private folder (0700) whose path leaves ``room`` bytes for the sockets under it.

    In the temporary folder (:func:`tempfile.gettempdir`) when there is room there, else in
    :data:`SHORT_ROOT`; if neither has room, :class:`OSError` says so.
    """
    random_part = 8  # what mkdtemp adds
    for root, name in ((tempfile.gettempdir(), prefix),
                       (SHORT_ROOT, f"{PREFIX}{os.getpid()}-{prefix}")):
        if len(os.path.join(root, name)) + random_part + room <= SOCKET_PATH_MAX:
            try:
                return tempfile.mkdtemp(prefix=name, dir=root)
            except OSError:
                continue
    raise OSError(f"no folder for a kernel's sockets: {tempfile.gettempdir()!r} is too deep for "
                  f"a Unix socket path (at most {SOCKET_PATH_MAX} bytes) and {SHORT_ROOT!r} "
                  "cannot be written; set TMPDIR to a shorter folder")


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # someone else's: not ours to judge
    return True


def sweep() -> None:
    """Remove this user's socket folders in :data:`SHORT_ROOT` whose process is gone."""
    for found in Path(SHORT_ROOT).glob(f"{PREFIX}*-*"):
        pid = found.name.removeprefix(PREFIX).split("-")[0]
        try:
            mine = found.lstat().st_uid == os.getuid() and found.is_dir()
        except OSError:
            continue
        if mine and pid.isdigit() and not alive(int(pid)):
            shutil.rmtree(found, ignore_errors=True)
