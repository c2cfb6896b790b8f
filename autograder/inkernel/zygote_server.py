"""The zygote's own program, inside its sandbox: preload, then fork a monitor per notebook.

Started by the worker (:class:`autograder.sandbox.zygote.Zygote`) as ``python -P -m
autograder.inkernel.zygote_server SPOOL`` in a bubblewrap sandbox; see
:mod:`autograder.sandbox.zygote` for the whole design. The monitor makes the notebook's own
sandbox (:func:`_enter_sandbox`, Linux calls through :mod:`.libc`) and forks the kernel in it
(:func:`_become_kernel`).
"""

from __future__ import annotations

import json
import os
import select
import shutil
import signal
import socket
import sys
import threading
from typing import Any

from autograder.inkernel import libc
from autograder.limits import DEFAULT_LIMITS

#: Imported by the zygote before it forks (what grading kernels import anyway): never ann_lib or
#: a lesson's checks, which a kernel gets from its lesson's kernel tree
#: (:mod:`autograder.grading.kernel_tree`).
PRELOAD = ("ipykernel.kernelapp", "ipykernel.ipkernel", "ipykernel.zmqshell", "IPython",
           "numpy", "matplotlib.pyplot", "ipywidgets",
           "autograder.inkernel.kernel", "autograder.inkernel.compute", "autograder.checks.core")

#: Inside a kernel's sandbox: its working folder, and where its connection folder is bound first.
#: (PACKAGES: where a kernel imports the course's packages, as in autograder.sandbox.bubblewrap.)
PACKAGES = "/run/ann-course-packages"
WORK = "/run/ann-course-work"
JOB = "/run/ann-course-job"


def _preload():
    import importlib

    for name in PRELOAD:
        try:
            importlib.import_module(name)
        except Exception:  # noqa: BLE001 - a missing extra is imported (or not) by the kernel
            pass


def recv_line(conn: socket.socket, limit: int = 1 << 20) -> bytes | None:
    data = b""
    while not data.endswith(b"\n"):
        chunk = conn.recv(65536)
        if not chunk or len(data) > limit:
            return None
        data += chunk
    return data


def serve(spool: str) -> None:
    """The zygote's loop: a monitor forked per request on ``<spool>/zygote.sock``.

    A request is one JSON line ``{"job", "args", "env", "disk"}``; the monitor answers
    ``{"started": true}`` once the kernel runs, later ``{"exit": status}``. The zygote leaves
    when its stdin closes (the worker that started it is gone).
    """
    if "" in sys.path:
        sys.path.remove("")
    _preload()
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # monitors are reaped by the system
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    devnull = os.open(os.devnull, os.O_RDWR)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(os.path.join(spool, "zygote.sock"))
    listener.listen(64)
    sys.stdout.write(json.dumps({"ready": True, "threads": threading.active_count()}) + "\n")
    sys.stdout.flush()
    os.dup2(devnull, 1)
    while True:
        watched: list[Any] = [listener, 0]  # 0: stdin, closed when the worker is gone
        ready = select.select(watched, [], [])[0]
        if 0 in ready and not os.read(0, 4096):
            break
        if listener not in ready:
            continue
        conn, _ = listener.accept()
        conn.settimeout(30)
        try:
            request = json.loads(recv_line(conn) or b"null")
            job = os.path.join(spool, os.path.basename(request["job"]))
        except (OSError, ValueError, TypeError, KeyError):
            conn.close()
            continue
        sys.stdout.flush()
        sys.stderr.flush()
        if os.fork() == 0:
            listener.close()
            os.close(0)
            code = 1
            try:
                code = _monitor(conn, request, spool, job, devnull)
            finally:
                os._exit(code)
        conn.close()


def _monitor(conn, request, spool, job, devnull):
    """In the forked monitor: make the notebook's sandbox, fork its kernel, watch it."""
    libc.LIBC.prctl(libc.PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    conn.settimeout(None)
    try:
        _enter_sandbox(spool, job, int(request.get("disk") or DEFAULT_LIMITS.disk), request.get("keep") or [],
                       request.get("hide") or [])
        pid = os.fork()  # the first process of the new pid namespace
    except OSError as exc:
        conn.sendall(json.dumps({"error": str(exc)}).encode() + b"\n")
        return 1
    if pid == 0:
        conn.close()
        try:
            _become_kernel(request, devnull)
        except BaseException:  # noqa: BLE001 - the kernel ends here, never in the monitor's code
            os._exit(1)
        os._exit(0)
    conn.sendall(b'{"started": true}\n')
    pidfd = os.pidfd_open(pid)
    while True:
        ready = select.select([conn, pidfd], [], [])[0]
        if pidfd in ready:
            _, status = os.waitpid(pid, 0)
            try:
                conn.sendall(json.dumps({"exit": os.waitstatus_to_exitcode(status)}).encode() + b"\n")
            except OSError:
                pass
            return 0
        message = conn.recv(4096)
        for line in message.decode(errors="replace").splitlines() or ["kill"]:
            sig = signal.SIGKILL if line.strip() in ("", "kill") else int(line.split()[-1])
            try:
                os.kill(pid, sig)
            except OSError:
                pass
        if not message:  # the worker is gone: so is the notebook
            os.waitpid(pid, 0)
            return 0


def _enter_sandbox(spool, job, disk, keep=(), hide=()):
    """New namespaces for one notebook, and its view of the files (see the module's doc).

    ``keep``: the read-only folders of the zygote's sandbox under ``/tmp`` (a Python or a virtual
    environment there), bound again in the kernel's fresh ``/tmp``. ``hide``: the course's own
    packages, hidden under empty folders when the job brings its lesson's kernel tree
    (``<job>/p``, :mod:`autograder.grading.kernel_tree`), which the kernel then sees at
    ``PACKAGES``.
    """
    uid, gid = os.getuid(), os.getgid()
    libc.check(libc.LIBC.unshare(libc.CLONE_NEWUSER | libc.CLONE_NEWNS | libc.CLONE_NEWPID
                                 | libc.CLONE_NEWNET | libc.CLONE_NEWIPC | libc.CLONE_NEWUTS),
               "unshare")
    libc.write("/proc/self/setgroups", "deny")
    libc.write("/proc/self/uid_map", f"{uid} {uid} 1")
    libc.write("/proc/self/gid_map", f"{gid} {gid} 1")
    libc.mount(None, "/", None, libc.MS_REC | libc.MS_PRIVATE)
    libc.tmpfs(WORK, disk, mode="0700")
    shutil.copytree(os.path.join(job, "s"), WORK, dirs_exist_ok=True, symlinks=True)
    libc.bind(os.path.join(job, "c"), JOB)
    tree = os.path.join(job, "p")
    hide = [p for p in hide if os.path.isdir(p)] if os.path.isdir(tree) else []
    for name in os.listdir(tree) if os.path.isdir(tree) else ():
        target = os.path.join(PACKAGES, name)
        libc.bind(os.path.join(tree, name), target)
        libc.mount(None, target, None,
                   libc.MS_REMOUNT | libc.MS_BIND | libc.MS_RDONLY | libc.MS_NOSUID | libc.MS_NODEV)
    keep = [p for p in keep if p not in hide]
    held = {path: os.open(path, os.O_PATH | os.O_DIRECTORY) for path in keep
            if path.startswith("/tmp/") and os.path.isdir(path)}
    libc.tmpfs("/tmp", disk, mode="1777")  # a fresh /tmp, and the spool hidden: the zygote's socket,
    for path, fd in held.items():
        os.makedirs(path, exist_ok=True)
        libc.bind(f"/proc/self/fd/{fd}", path)  # read-only as it was (a locked flag comes along)
        os.close(fd)
    if os.path.exists(spool):          # every other job (a spool outside /tmp: an empty tmpfs)
        libc.tmpfs(spool, 1 << 16)
    os.makedirs(os.path.join(job, "c"))
    libc.bind(JOB, os.path.join(job, "c"))
    libc.check(libc.LIBC.umount2(JOB.encode(), libc.MNT_DETACH), f"umount {JOB}")
    if not spool.startswith("/tmp/"):
        libc.mount(None, spool, None,
                   libc.MS_REMOUNT | libc.MS_BIND | libc.MS_RDONLY | libc.MS_NOSUID | libc.MS_NODEV)
    for path in hide:  # the course's own ann_lib and autograder, wherever they are
        if os.path.isdir(path):
            libc.tmpfs(path, 4096, read_only=True)
    if os.path.isdir("/dev/shm"):
        libc.tmpfs("/dev/shm", 1 << 20, mode="1777")
    libc.tmpfs("/proc", 4096, read_only=True)  # the zygote's pid namespace stays out of sight


def _become_kernel(request, devnull):
    """In the kernel: no capability, then ``python -P -m autograder.inkernel.kernel ARGS``."""
    libc.LIBC.prctl(libc.PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)  # gone with its monitor, whatever happens
    if not request["env"].get("ANN_COURSE_SEAL"):  # else dropped once its folder is sealed
        libc.drop_capabilities()
    os.setsid()
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    os.dup2(devnull, 0)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    os.close(devnull)
    os.chdir(WORK)
    os.environ.clear()
    os.environ.update(request["env"])
    os.environ.pop("ANN_COURSE_STAGE", None)  # the monitor filled the working folder already
    import random

    import numpy

    random.seed()
    numpy.random.seed()
    sys.argv = ["autograder.inkernel.kernel", *request["args"]]
    from autograder.inkernel import kernel

    kernel.main()


if __name__ == "__main__":
    serve(sys.argv[1])
