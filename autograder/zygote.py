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
import signal
import subprocess
import sys
import threading

#: Imported by the zygote before it forks (what a grading kernel always imports).
PRELOAD = ("ipykernel.kernelapp", "ipykernel.ipkernel", "ipykernel.zmqshell", "IPython",
           "numpy", "ann_lib", "ann_lib.activations", "ann_lib.plotting", "ann_lib.widgets",
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


def _child(request, devnull):
    """In the forked child: become the grading kernel. Never returns."""
    code = 1
    try:
        os.setsid()
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        os.dup2(devnull, 0)
        os.dup2(2, 1)
        os.chdir(request["cwd"] or "/")
        os.environ.clear()
        os.environ.update(request["env"])
        os.environ["JPY_PARENT_PID"] = str(os.getppid())  # as jupyter_client's launcher does
        # the trait's default was read from the environment when the zygote imported ipykernel
        sys.argv = ["autograder.kernel", *request["args"],
                    f"--IPKernelApp.parent_handle={os.getppid()}"]
        from autograder import kernel

        kernel.main()
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except BaseException:  # noqa: BLE001 - report and leave; the zygote's loop must not resume
        import traceback

        traceback.print_exc()
    finally:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(code)


def serve():
    """The zygote's loop: one JSON request a line on stdin, ``{"pid": N}`` a line on stdout."""
    if "" in sys.path:
        sys.path.remove("")
    _preload()
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # children are reaped by the system
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # a Ctrl-C is for the worker, not the zygote
    out = os.fdopen(os.dup(1), "w", buffering=1)
    devnull = os.open(os.devnull, os.O_RDWR)
    os.dup2(devnull, 1)  # nothing else may write on the reply channel
    threads = threading.active_count()
    out.write(json.dumps({"ready": True, "threads": threads}) + "\n")
    for line in sys.stdin:
        try:
            request = json.loads(line)
        except ValueError:
            continue
        if threading.active_count() > 1:  # forking with threads is unsafe: refuse
            out.write(json.dumps({"error": "the fork server has threads"}) + "\n")
            continue
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:
            out.close()
            _child(request, devnull)
        out.write(json.dumps({"pid": pid}) + "\n")


# --- the worker's side ---------------------------------------------------------------------

class Zygote:
    """The zygote of this process (started on first use, restarted if it died)."""

    _instance = None
    _lock = threading.Lock()

    def __init__(self, env):
        self.env = env
        self.proc = subprocess.Popen([sys.executable, "-P", "-m", "autograder.zygote"],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     env=env, text=True, bufsize=1, close_fds=True,
                                     start_new_session=True)
        hello = self.proc.stdout.readline()
        if not hello or not json.loads(hello).get("ready"):
            raise RuntimeError("the kernel fork server did not start")

    @classmethod
    def get(cls, env):
        with cls._lock:
            z = cls._instance
            if z is None or z.proc.poll() is not None or z.pid_owner != os.getpid():
                z = cls._instance = cls(env)
                z.pid_owner = os.getpid()
            return z

    def fork(self, args, env, cwd):
        with self._lock:
            self.proc.stdin.write(json.dumps({"args": args, "env": env, "cwd": cwd}) + "\n")
            self.proc.stdin.flush()
            reply = self.proc.stdout.readline()
        if not reply:
            raise RuntimeError("the kernel fork server died")
        reply = json.loads(reply)
        if "pid" not in reply:
            raise RuntimeError(f"the kernel fork server refused: {reply.get('error')}")
        return reply["pid"]


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
            pid = Zygote.get(_zygote_env(env)).fork(args, env, cwd)
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
    return z


def prestart(env):
    """Start this process's zygote now (e.g. in a pool worker's initializer)."""
    Zygote.get(_zygote_env(env))


if __name__ == "__main__":
    serve()
