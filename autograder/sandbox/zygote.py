"""Warm sandboxed kernels: a fork server inside a sandbox, each kernel in a sandbox of its own.

Starting a grading kernel costs a fresh Python and its imports (IPython, ipykernel, numpy,
matplotlib, the course's packages: one to two CPU seconds), far more than the sandbox itself.
So each grading worker starts one **zygote**, once:

* the zygote (:mod:`autograder.inkernel.zygote_server`) runs in a bubblewrap sandbox
  (:func:`autograder.sandbox.bubblewrap.zygote_command`: the same read-only system, Python and
  course packages as a kernel's, no network, no capability, uid ``nobody`` under a root grader)
  with one writable host folder, its **spool** (a private temp folder of the worker); it imports what every
  grading kernel imports, then waits on a Unix
  socket in the spool, from which the worker alone asks for kernels;
* for each notebook, the worker copies the staged notebook folder into the spool
  (``<spool>/<job>/s``) and asks for a kernel whose connection file and IPC sockets live in
  ``<spool>/<job>/c``. The zygote forks a **monitor**
  (:func:`autograder.inkernel.zygote_server._monitor`) that makes the notebook's own sandbox
  inside the zygote's: new user, mount, pid, network, ipc and uts namespaces; a fresh tmpfs working folder
  filled with the staged copy, a fresh ``/tmp`` and
  ``/dev/shm``, an empty read-only ``/proc``; the spool hidden under an empty read-only tmpfs
  except this job's connection folder. Then the monitor forks the **kernel**, the first process of
  the new pid namespace: it drops every capability (``capset``, ``no_new_privs``), sets its
  limits (address space, processes, file size, CPU) and becomes ``python -P -m
  autograder.inkernel.kernel -f CONNECTION_FILE``;
* the monitor stays outside the notebook's pid namespace, where the kernel cannot see or signal
  it, and holds the worker's connection: when the kernel ends it reports the exit status and
  leaves; when the worker asks it to (``kill``) or goes away (the connection closes), it kills
  the kernel, and with it, the pid namespace and every process the notebook started.

A kernel thus sees the same sandbox as a kernel started on its own (:func:`autograder.sandbox.bubblewrap.
command`), minus ``/proc`` (Linux refuses a new ``proc`` mount inside bubblewrap's), plus a forked
copy of the zygote's pristine memory. Where the zygote cannot be started (no nested user
namespaces), or with ``ANN_COURSE_WARM_KERNELS=0``, each kernel gets its own bubblewrap instead.
"""

from __future__ import annotations

import atexit
import json
import os
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import uuid
from collections.abc import Mapping

from autograder.inkernel import zygote_server
from autograder.limits import LIMITS_ENV, Limits
from autograder.sandbox import bubblewrap as sandbox
from autograder.sandbox import socket_paths


def enabled() -> bool:
    return os.environ.get("ANN_COURSE_WARM_KERNELS", "1").strip().lower() not in (
        "0", "no", "false", "off")


class Zygote:
    """A sandboxed zygote owned by this process (it leaves when its owner does)."""

    def __init__(self, env, limits):
        # the deepest socket: <spool>/k<8>/c/k-<n>
        self.spool = socket_paths.folder("z-", len("/k12345678/c/k-10"))
        self.path = os.path.join(self.spool, "zygote.sock")
        self.owner = os.getpid()
        self.cgroup = None
        argv = sandbox.zygote_command([sys.executable, "-P", "-m", "autograder.inkernel.zygote_server",
                                       self.spool],
                                      self.spool, env, limits)
        if sandbox.needs_pids_cgroup():  # one kernel at a time: the kernel's cap, + 4 for us
            self.cgroup = sandbox.PidsCgroup(limits.processes + 4,
                                             f"{os.getpid()}-z{uuid.uuid4().hex}")
            argv = self.cgroup.wrap(argv)
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL, close_fds=True,
                                     start_new_session=True)
        self._ready = False

    def ready(self, timeout: float = 120) -> bool:
        """Wait until the zygote listens (it imports for a few seconds); False if it failed."""
        if not self._ready and self.proc.poll() is None:
            if select.select([self.proc.stdout], [], [], timeout)[0]:
                line = self.proc.stdout.readline()
                try:
                    self._ready = bool(line and json.loads(line).get("ready"))
                except ValueError:
                    self._ready = False
        return self._ready and self.proc.poll() is None

    def alive(self) -> bool:
        return self.owner == os.getpid() and self.proc.poll() is None

    def new_job(self) -> str:
        """A job folder in the spool: ``c/`` for the connection file, ``s/`` for the notebook."""
        job = tempfile.mkdtemp(prefix="k", dir=self.spool)
        os.mkdir(os.path.join(job, "c"))
        return job

    def start_kernel(self, job: str, cwd: str, args: list[str], env: dict[str, str], disk: int
                     ) -> socket.socket:
        """Copy ``cwd`` into the job, have a kernel started there; the monitor's connection."""
        shutil.copytree(cwd, os.path.join(job, "s"), symlinks=True)
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(60)
        try:
            sock.connect(self.path)
            sock.sendall(json.dumps({"job": job, "args": args, "env": env, "disk": disk,
                                     "keep": sandbox.bound_paths(env),
                                     "hide": sandbox.course_packages()}).encode() + b"\n")
            reply = json.loads(zygote_server.recv_line(sock) or b"null")
        except (OSError, ValueError):
            sock.close()
            raise RuntimeError("the kernel zygote did not answer") from None
        if not (isinstance(reply, dict) and reply.get("started")):
            sock.close()
            raise RuntimeError(f"the kernel zygote could not start a kernel: {reply}")
        shutil.rmtree(os.path.join(job, "s"), ignore_errors=True)
        sock.settimeout(None)
        return sock

    def close(self) -> None:
        if self.owner != os.getpid():
            return
        try:
            self.proc.stdin.close()
            self.proc.wait(timeout=5)
        except (OSError, subprocess.TimeoutExpired):
            self.proc.kill()
            self.proc.wait()
        if self.cgroup:
            self.cgroup.close()
        shutil.rmtree(self.spool, ignore_errors=True)


#: thread -> its zygote: a zygote has one kernel at a time (limits are per notebook)
_own: dict[tuple[int, int], Zygote] = {}
_failed = None
_lock = threading.Lock()


def zygote(env: Mapping[str, str], limits: Limits) -> Zygote | None:
    """This thread's zygote (started on first use, again if it died); None where there is none."""
    global _failed
    key = (os.getpid(), threading.get_ident())
    with _lock:
        if not enabled() or _failed == os.getpid():
            return None
        own = _own.get(key)
        if own is None or not own.alive():
            if own is not None:
                own.close()
            own = _own[key] = Zygote(_zygote_env(env), limits)
            atexit.register(own.close)
        if not own.ready():
            own.close()
            del _own[key]
            _failed = os.getpid()
            return None
        return own


def close_all() -> None:
    """Close every zygote of this process (a Dask worker's, when a grading run ends)."""
    with _lock:
        for own in _own.values():
            own.close()
        _own.clear()


def _zygote_env(env):
    """The zygote's own environment: the kernels', minus what only matters per kernel."""
    return {k: v for k, v in env.items() if k not in LIMITS_ENV}


class MonitoredKernel:
    """Enough of :class:`subprocess.Popen` for jupyter_client, for a kernel in the zygote."""

    stdin = stdout = stderr = None
    pid = None

    def __init__(self, sock):
        self.sock = sock
        self.returncode = None

    def _read(self, timeout):
        if self.returncode is None and select.select([self.sock], [], [], timeout)[0]:
            data = self.sock.recv(4096)
            try:
                self.returncode = int(json.loads(data.splitlines()[0])["exit"]) if data else -9
            except (ValueError, KeyError, IndexError, TypeError):
                self.returncode = -9
            self.sock.close()
        return self.returncode

    def poll(self) -> int | None:
        return self._read(0)

    def wait(self, timeout: float | None = None) -> int:
        if self._read(timeout) is None:
            raise subprocess.TimeoutExpired("kernel", timeout or 0.0)
        return self.returncode

    def send_signal(self, sig: int) -> None:
        if self.returncode is None:
            try:
                self.sock.sendall(f"signal {int(sig)}\n".encode())
            except OSError:
                pass

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)
