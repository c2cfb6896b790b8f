"""The process tree as Linux's /proc shows it, for tests that must leave no process behind."""

from __future__ import annotations

import time
from pathlib import Path


def _stat(pid):
    """(state, parent pid) of a process, or None if it is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return None
    fields = text[text.rindex(")") + 2:].split()  # the name, in parentheses, may hold spaces
    return fields[0], int(fields[1])


def parent(pid):
    """The parent's pid, or None if the process is gone or a zombie."""
    stat = _stat(pid)
    return None if stat is None or stat[0] == "Z" else stat[1]


def cmdline(pid):
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode().strip()
    except OSError:
        return ""


def descendants(pid):
    """Pids of every living child, grandchild, ... of `pid`."""
    children = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            ppid = parent(int(entry.name))
            if ppid is not None:
                children.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def survivors(pids, grace=15.0):
    """Those of `pids` still alive (not zombies) once `grace` seconds have passed or all are gone.

    Each is described as ``"<pid> (parent <ppid>): <command line>"``.
    """
    deadline = time.monotonic() + grace
    while True:
        alive = [pid for pid in pids if parent(pid) is not None]
        if not alive or time.monotonic() > deadline:
            return [f"{pid} (parent {parent(pid)}): {cmdline(pid)}" for pid in alive]
        time.sleep(0.1)
