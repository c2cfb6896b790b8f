"""A fork server ("zygote") for grading kernels: a fresh kernel process per notebook, without the
cost of starting Python and importing IPython, ipykernel, numpy and the course's packages again.

* The zygote is a process started once per grading worker (``python -P -m autograder.zygote``,
  with the grading kernel's environment): it imports what every grading kernel needs, creates no
  zmq context and no thread, then waits for requests (one JSON line each on its stdin).
* For each notebook it forks a child that starts its own session, applies the memory cap, goes to
  the notebook's folder, takes the kernel's environment and runs :func:`autograder.kernel.main`
  with the request's connection file, exactly as ``python -P -m autograder.kernel -f FILE`` would.
  The child is a new process: nothing is shared between two students' kernels but the pristine
  memory image they were forked from.
* :class:`ZygoteProvisioner` is jupyter_client's :class:`LocalProvisioner` with the launch done by
  the zygote; the kernel is watched and signalled through a pidfd (its parent is the zygote, which
  lets the kernel reap itself: SIGCHLD ignored).

Switched off with ``ANN_COURSE_FORK_SERVER=0`` (the kernel is then started as a new process).
"""

from __future__ import annotations

import json
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import threading

#: Imported by the zygote before it forks (what a grading kernel always imports).
PRELOAD = ("ipykernel.kernelapp", "ipykernel.ipkernel", "ipykernel.zmqshell", "ipykernel.debugger",
           "IPython",
           "numpy", "ann_lib", "ann_lib.activations", "ann_lib.teaching",
           "matplotlib.pyplot", "ipywidgets",  # every lesson draws figures and explorers
           "autograder.kernel", "autograder.core", "autograder.lessons")


def enabled():
    return os.environ.get("ANN_COURSE_FORK_SERVER", "1").strip().lower() not in ("0", "no", "false",
                                                                                  "off", "")


# --- the zygote process --------------------------------------------------------------------

def _preload():
    import importlib
    import pkgutil

    for name in PRELOAD:
        try:
            importlib.import_module(name)
        except Exception:  # noqa: BLE001 - a missing extra is imported (or not) by the kernel
            pass
    try:
        import autograder.lessons as lessons_pkg

        for info in pkgutil.iter_modules(lessons_pkg.__path__):
            importlib.import_module(f"autograder.lessons.{info.name}")
    except Exception:  # noqa: BLE001
        pass


def _become_kernel(request, devnull):
    """In the forked child: turn into ``python -P -m autograder.kernel ARGS``.

    Returns (or raises) when the kernel is done; the caller then leaves the zygote's loop so that
    the child ends the way a kernel started as a new Python ends (exceptions, atexit, threads).
    """
    os.setsid()
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    os.dup2(devnull, 0)
    os.dup2(2, 1)
    os.close(devnull)
    os.chdir(request["cwd"] or "/")
    os.environ.clear()
    os.environ.update(request["env"])
    os.environ["JPY_PARENT_PID"] = str(os.getppid())  # as jupyter_client's launcher does
    # the trait's default was read from the environment when the zygote imported ipykernel
    sys.argv = ["autograder.kernel", *request["args"], f"--IPKernelApp.parent_handle={os.getppid()}"]
    from autograder import kernel

    kernel.main()


def serve(path):
    """The zygote's loop: a fork per connection to the Unix socket ``path``.

    A request is one JSON line ``{"args", "env", "cwd"}``, the answer ``{"pid": N}``. The zygote
    leaves when its stdin is closed (the process that started it is gone).
    """
    import socket

    if "" in sys.path:
        sys.path.remove("")
    _preload()
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # children are reaped by the system
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # a Ctrl-C is for the grader, not the zygote
    devnull = os.open(os.devnull, os.O_RDWR)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    listener.listen(64)
    sys.stdout.write(json.dumps({"ready": True, "threads": threading.active_count()}) + "\n")
    sys.stdout.flush()
    os.dup2(devnull, 1)
    while True:
        ready = select.select([listener, 0], [], [])[0]
        if 0 in ready and not os.read(0, 4096):
            break
        if listener not in ready:
            continue
        conn, _ = listener.accept()
        with conn:
            conn.settimeout(30)
            try:
                data = b""
                while not data.endswith(b"\n"):
                    chunk = conn.recv(65536)
                    if not chunk:
                        break
                    data += chunk
                request = json.loads(data)
            except (OSError, ValueError):
                continue
            if threading.active_count() > 1:  # forking with threads is unsafe: refuse
                conn.sendall(json.dumps({"error": "the fork server has threads"}).encode() + b"\n")
                continue
            sys.stdout.flush()
            sys.stderr.flush()
            pid = os.fork()
            if pid == 0:
                conn.close()
                listener.close()
                _become_kernel(request, devnull)
                return  # the child is done: it ends here, never back in the loop
            try:
                conn.sendall(json.dumps({"pid": pid}).encode() + b"\n")
            except OSError:
                os.kill(pid, signal.SIGKILL)  # nobody will manage this kernel


# --- the worker's side ---------------------------------------------------------------------

class Zygote:
    """A zygote process, owned by this process (it leaves when its owner does)."""

    def __init__(self, env):
        self.dir = tempfile.mkdtemp(prefix="annz-")
        self.path = os.path.join(self.dir, "zygote.sock")
        self.owner = os.getpid()
        self.proc = subprocess.Popen([sys.executable, "-P", "-m", "autograder.zygote", self.path],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     env=env, close_fds=True, start_new_session=True)
        self._ready = False

    def ready(self, timeout=120):
        """Wait until the zygote listens (it imports for a second or two); False if it failed."""
        if not self._ready and self.proc.poll() is None:
            if select.select([self.proc.stdout], [], [], timeout)[0]:
                line = self.proc.stdout.readline()
                try:
                    self._ready = bool(line and json.loads(line).get("ready"))
                except ValueError:
                    self._ready = False
        return self._ready and self.proc.poll() is None

    def close(self):
        if self.owner == os.getpid():
            try:
                self.proc.stdin.close()
                self.proc.wait(timeout=5)
            except (OSError, subprocess.TimeoutExpired):
                self.proc.kill()
            shutil.rmtree(self.dir, ignore_errors=True)


def request(path, args, env, cwd):
    """Ask the zygote listening at ``path`` for a kernel; return its pid."""
    import socket

    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(60)
        sock.connect(path)
        sock.sendall(json.dumps({"args": args, "env": env, "cwd": cwd}).encode() + b"\n")
        data = b""
        while not data.endswith(b"\n"):
            chunk = sock.recv(4096)
            if not chunk:
                break
            data += chunk
    if not data:
        raise RuntimeError("the kernel fork server did not answer")
    reply = json.loads(data)
    if "pid" not in reply:
        raise RuntimeError(f"the kernel fork server refused: {reply.get('error')}")
    return reply["pid"]


#: the socket of a zygote shared by this process's grading (set by the pool's initializer)
shared_path = None
_own = None
_own_lock = threading.Lock()


def _own_zygote(env):
    """This process's own zygote (started on first use, again if it died)."""
    global _own
    with _own_lock:
        if _own is None or _own.owner != os.getpid() or _own.proc.poll() is not None:
            _own = Zygote(env)
            import atexit

            atexit.register(_own.close)
        if not _own.ready():
            raise RuntimeError("the kernel fork server did not start")
        return _own


def fork(args, env, cwd):
    """A grading kernel forked by the shared zygote, else by this process's own; its pid."""
    if shared_path:
        try:
            return request(shared_path, args, env, cwd)
        except (OSError, RuntimeError, ValueError):
            pass
    return request(_own_zygote(_zygote_env(env)).path, args, env, cwd)


class ForkedProcess:
    """Enough of :class:`subprocess.Popen` for LocalProvisioner, for a process we did not fork."""

    stdin = stdout = stderr = None

    def __init__(self, pid):
        self.pid = pid
        self.returncode = None
        try:
            self.fd = os.pidfd_open(pid)
        except ProcessLookupError:  # already gone
            self.fd = None
            self.returncode = -1

    def poll(self):
        if self.returncode is None and select.select([self.fd], [], [], 0)[0]:
            self._gone()
        return self.returncode

    def _gone(self):
        self.returncode = -1  # the exit status belongs to the zygote, which discarded it
        os.close(self.fd)
        self.fd = None

    def wait(self, timeout=None):
        if self.returncode is None:
            if select.select([self.fd], [], [], timeout)[0]:
                self._gone()
            else:
                raise subprocess.TimeoutExpired(str(self.pid), timeout)
        return self.returncode

    def send_signal(self, sig):
        if self.poll() is None:
            signal.pidfd_send_signal(self.fd, sig)

    def kill(self):
        self.send_signal(signal.SIGKILL)

    def terminate(self):
        self.send_signal(signal.SIGTERM)


def _provisioner_class():
    from jupyter_client.provisioning import LocalProvisioner

    class ZygoteProvisioner(LocalProvisioner):
        """LocalProvisioner whose kernel is forked by this worker's zygote."""

        async def launch_kernel(self, cmd, **kwargs):
            import pathlib

            env = dict(kwargs.get("env") or os.environ)
            cwd = str(kwargs.get("cwd") or os.getcwd())
            if "autograder.kernel" not in cmd:
                raise RuntimeError(f"not a grading kernel: {cmd}")
            args = list(cmd[cmd.index("autograder.kernel") + 1:])
            try:
                pid = fork(args, env, cwd)
            except (OSError, RuntimeError, ValueError) as exc:  # start a new Python instead
                self.log.warning("kernel fork server unavailable (%s): starting a new kernel", exc)
                return await super().launch_kernel(cmd, **kwargs)
            self.process = ForkedProcess(pid)
            self.pid = pid
            self.pgid = pid  # the child started its own session
            self.cwd = kwargs.get("cwd", pathlib.Path.cwd())
            return self.connection_info

        async def send_signal(self, signum):
            if self.process and self.process.poll() is None:
                try:
                    os.killpg(self.pgid, signum)  # the kernel and what it started
                except OSError:
                    self.process.send_signal(signum)

    return ZygoteProvisioner


_PROVISIONER = None


def provisioner(km):
    """A zygote provisioner for the kernel manager ``km`` (before its kernel is started)."""
    global _PROVISIONER
    if _PROVISIONER is None:
        _PROVISIONER = _provisioner_class()
    import uuid

    return _PROVISIONER(kernel_id=km.kernel_id or str(uuid.uuid4()), kernel_spec=km.kernel_spec,
                        parent=km)


def _zygote_env(env):
    """The zygote's own environment: the kernel's, minus what only matters per kernel."""
    z = {k: v for k, v in env.items() if k not in ("ANN_COURSE_MEMORY", "JPY_PARENT_PID")}
    z.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")  # debugpy's warning when preloaded
    return z


def start(env):
    """Start a zygote for the kernel environment ``env`` (call :meth:`Zygote.ready` before use)."""
    return Zygote(_zygote_env(env))


if __name__ == "__main__":
    serve(sys.argv[1])
