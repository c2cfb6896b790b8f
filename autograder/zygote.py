"""Warm sandboxed kernels: a fork server inside a sandbox, each kernel in a sandbox of its own.

Starting a grading kernel costs a fresh Python and its imports (IPython, ipykernel, numpy,
matplotlib, the course's packages: one to two CPU seconds), far more than the sandbox itself.
So each grading worker starts one **zygote**, once:

* the zygote runs in a bubblewrap sandbox (:func:`autograder.sandbox.zygote_command`: the same
  read-only system, Python and course packages as a kernel's, no network, no capability, uid
  ``nobody`` under a root grader) with one writable host folder, its **spool** (a private temp
  folder of the worker); it imports what every grading kernel imports, then waits on a Unix
  socket in the spool, from which the worker alone asks for kernels;
* for each notebook, the worker copies the staged notebook folder into the spool
  (``<spool>/<job>/s``) and asks for a kernel whose connection file and IPC sockets live in
  ``<spool>/<job>/c``. The zygote forks a **monitor** (:func:`_monitor`) that makes the
  notebook's own sandbox inside the zygote's: new user, mount, pid, network, ipc and uts
  namespaces; a fresh tmpfs working folder filled with the staged copy, a fresh ``/tmp`` and
  ``/dev/shm``, an empty read-only ``/proc``; the spool hidden under an empty read-only tmpfs
  except this job's connection folder. Then the monitor forks the **kernel**, the first process of
  the new pid namespace: it drops every capability (``capset``, ``no_new_privs``), sets its
  limits (address space, processes, file size, CPU) and becomes ``python -P -m
  autograder.kernel -f CONNECTION_FILE``;
* the monitor stays outside the notebook's pid namespace, where the kernel cannot see or signal
  it, and holds the worker's connection: when the kernel ends it reports the exit status and
  leaves; when the worker asks it to (``kill``) or goes away (the connection closes), it kills
  the kernel, and with it, the pid namespace and every process the notebook started.

A kernel thus sees the same sandbox as a kernel started on its own (:func:`autograder.sandbox.
command`), minus ``/proc`` (Linux refuses a new ``proc`` mount inside bubblewrap's), plus a forked
copy of the zygote's pristine memory. Where the zygote cannot be started (no nested user
namespaces), or with ``ANN_COURSE_WARM_KERNELS=0``, each kernel gets its own bubblewrap instead.
"""

from __future__ import annotations

import ctypes
import ctypes.util
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

#: Imported by the zygote before it forks (what grading kernels import anyway).
PRELOAD = ("ipykernel.kernelapp", "ipykernel.ipkernel", "ipykernel.zmqshell", "IPython",
           "numpy", "ann_lib", "ann_lib.teaching", "matplotlib.pyplot", "ipywidgets",
           "autograder.kernel", "autograder.compute", "autograder.core", "autograder.lessons")

#: Inside a kernel's sandbox: its working folder, and where its connection folder is bound first.
WORK = "/run/ann-course-work"
JOB = "/run/ann-course-job"

CLONE_NEWNS, CLONE_NEWUTS, CLONE_NEWIPC = 0x00020000, 0x04000000, 0x08000000
CLONE_NEWUSER, CLONE_NEWPID, CLONE_NEWNET = 0x10000000, 0x20000000, 0x40000000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_REMOUNT = 1, 2, 4, 32
MS_BIND, MS_REC, MS_PRIVATE = 4096, 16384, 1 << 18
MNT_DETACH = 2
PR_SET_PDEATHSIG, PR_SET_NO_NEW_PRIVS = 1, 38


def enabled():
    return os.environ.get("ANN_COURSE_WARM_KERNELS", "1").strip().lower() not in (
        "0", "no", "false", "off")


# --- Linux, through libc --------------------------------------------------------------------

_libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)


def _check(result, what):
    if result != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")


def _mount(source, target, fstype, flags, data=None):
    _check(_libc.mount(source and source.encode(), target.encode(), fstype and fstype.encode(),
                       ctypes.c_ulong(flags), data and data.encode()), f"mount {target}")


def _tmpfs(target, size, mode="0755", read_only=False):
    _mount("tmpfs", target, "tmpfs", MS_NOSUID | MS_NODEV, f"size={int(size)},mode={mode}")
    if read_only:
        _mount(None, target, None, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV)


def _bind(source, target):
    _mount(source, target, None, MS_BIND | MS_REC)


def _write(path, text):
    with open(path, "w") as f:
        f.write(text)


class _CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _CapData(ctypes.Structure):
    _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32),
                ("inheritable", ctypes.c_uint32)]


def drop_capabilities():
    """No capability at all, and no way to gain one (``no_new_privs``)."""
    _check(_libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "prctl(no_new_privs)")
    header = _CapHeader(0x20080522, 0)  # _LINUX_CAPABILITY_VERSION_3
    data = (_CapData * 2)()
    _check(_libc.capset(ctypes.byref(header), data), "capset")


# --- the zygote (inside its sandbox) --------------------------------------------------------

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


def _recv_line(conn, limit=1 << 20):
    data = b""
    while not data.endswith(b"\n"):
        chunk = conn.recv(65536)
        if not chunk or len(data) > limit:
            return None
        data += chunk
    return data


def serve(spool):
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
        ready = select.select([listener, 0], [], [])[0]
        if 0 in ready and not os.read(0, 4096):
            break
        if listener not in ready:
            continue
        conn, _ = listener.accept()
        conn.settimeout(30)
        try:
            request = json.loads(_recv_line(conn) or b"null")
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
    _libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    conn.settimeout(None)
    try:
        _enter_sandbox(spool, job, int(request.get("disk") or 64 << 20), request.get("keep") or [])
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


def _enter_sandbox(spool, job, disk, keep=()):
    """New namespaces for one notebook, and its view of the files (see the module's doc).

    ``keep``: the read-only folders of the zygote's sandbox under ``/tmp`` (a Python or a virtual
    environment there), bound again in the kernel's fresh ``/tmp``.
    """
    uid, gid = os.getuid(), os.getgid()
    _check(_libc.unshare(CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC
                         | CLONE_NEWUTS), "unshare")
    _write("/proc/self/setgroups", "deny")
    _write("/proc/self/uid_map", f"{uid} {uid} 1")
    _write("/proc/self/gid_map", f"{gid} {gid} 1")
    _mount(None, "/", None, MS_REC | MS_PRIVATE)
    _tmpfs(WORK, disk, mode="0700")
    shutil.copytree(os.path.join(job, "s"), WORK, dirs_exist_ok=True, symlinks=True)
    _bind(os.path.join(job, "c"), JOB)
    held = {path: os.open(path, os.O_PATH | os.O_DIRECTORY) for path in keep
            if path.startswith("/tmp/") and os.path.isdir(path)}
    _tmpfs("/tmp", disk, mode="1777")  # a fresh /tmp, and the spool hidden: the zygote's socket,
    for path, fd in held.items():
        os.makedirs(path, exist_ok=True)
        _bind(f"/proc/self/fd/{fd}", path)  # read-only as it was (a locked flag comes along)
        os.close(fd)
    if os.path.exists(spool):          # every other job (a spool outside /tmp: an empty tmpfs)
        _tmpfs(spool, 1 << 16)
    os.makedirs(os.path.join(job, "c"))
    _bind(JOB, os.path.join(job, "c"))
    _check(_libc.umount2(JOB.encode(), MNT_DETACH), f"umount {JOB}")
    if not spool.startswith("/tmp/"):
        _mount(None, spool, None, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV)
    if os.path.isdir("/dev/shm"):
        _tmpfs("/dev/shm", 1 << 20, mode="1777")
    _tmpfs("/proc", 4096, read_only=True)  # the zygote's pid namespace stays out of sight


def _become_kernel(request, devnull):
    """In the kernel: no capability, then ``python -P -m autograder.kernel ARGS``."""
    _libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)  # gone with its monitor, whatever happens
    drop_capabilities()
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
    sys.argv = ["autograder.kernel", *request["args"]]
    from autograder import kernel

    kernel.main()


# --- the worker's side ----------------------------------------------------------------------

class Zygote:
    """A sandboxed zygote owned by this process (it leaves when its owner does)."""

    def __init__(self, env, limits):
        from autograder import sandbox

        self.spool = tempfile.mkdtemp(prefix="annz-")  # short: Unix socket paths are short
        self.path = os.path.join(self.spool, "zygote.sock")
        self.owner = os.getpid()
        self.cgroup = None
        argv = sandbox.zygote_command([sys.executable, "-P", "-m", "autograder.zygote", self.spool],
                                      self.spool, env, limits)
        if sandbox.needs_pids_cgroup():  # one kernel at a time: the kernel's cap, + 4 for us
            import uuid

            self.cgroup = sandbox.PidsCgroup(limits.processes + 4,
                                             f"{os.getpid()}-z{uuid.uuid4().hex}")
            argv = self.cgroup.wrap(argv)
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL, close_fds=True,
                                     start_new_session=True)
        self._ready = False

    def ready(self, timeout=120):
        """Wait until the zygote listens (it imports for a few seconds); False if it failed."""
        if not self._ready and self.proc.poll() is None:
            if select.select([self.proc.stdout], [], [], timeout)[0]:
                line = self.proc.stdout.readline()
                try:
                    self._ready = bool(line and json.loads(line).get("ready"))
                except ValueError:
                    self._ready = False
        return self._ready and self.proc.poll() is None

    def alive(self):
        return self.owner == os.getpid() and self.proc.poll() is None

    def new_job(self):
        """A job folder in the spool: ``c/`` for the connection file, ``s/`` for the notebook."""
        job = tempfile.mkdtemp(prefix="k", dir=self.spool)
        os.mkdir(os.path.join(job, "c"))
        return job

    def start_kernel(self, job, cwd, args, env, disk):
        """Copy ``cwd`` into the job, have a kernel started there; the monitor's connection."""
        from autograder import sandbox

        shutil.copytree(cwd, os.path.join(job, "s"), symlinks=True)
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(60)
        try:
            sock.connect(self.path)
            sock.sendall(json.dumps({"job": job, "args": args, "env": env, "disk": disk,
                                     "keep": sandbox.bound_paths(env)}).encode() + b"\n")
            reply = json.loads(_recv_line(sock) or b"null")
        except (OSError, ValueError):
            sock.close()
            raise RuntimeError("the kernel zygote did not answer") from None
        if not (isinstance(reply, dict) and reply.get("started")):
            sock.close()
            raise RuntimeError(f"the kernel zygote could not start a kernel: {reply}")
        shutil.rmtree(os.path.join(job, "s"), ignore_errors=True)
        sock.settimeout(None)
        return sock

    def close(self):
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


_own = {}  #: thread -> its zygote: a zygote has one kernel at a time (limits are per notebook)
_failed = None
_lock = threading.Lock()


def zygote(env, limits):
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
            import atexit

            atexit.register(own.close)
        if not own.ready():
            own.close()
            del _own[key]
            _failed = os.getpid()
            return None
        return own


def _zygote_env(env):
    """The zygote's own environment: the kernels', minus what only matters per kernel."""
    from autograder.sandbox import LIMITS_ENV

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

    def poll(self):
        return self._read(0)

    def wait(self, timeout=None):
        if self._read(timeout) is None:
            raise subprocess.TimeoutExpired("kernel", timeout)
        return self.returncode

    def send_signal(self, sig):
        if self.returncode is None:
            try:
                self.sock.sendall(f"signal {int(sig)}\n".encode())
            except OSError:
                pass

    def kill(self):
        self.send_signal(signal.SIGKILL)

    def terminate(self):
        self.send_signal(signal.SIGTERM)


def _provisioner_class():
    from jupyter_client.provisioning import LocalProvisioner

    class ZygoteProvisioner(LocalProvisioner):
        """LocalProvisioner whose kernel the worker's zygote starts in a sandbox of its own."""

        zygote = None
        job = None
        limits = None

        async def launch_kernel(self, cmd, **kwargs):
            import pathlib

            from autograder import sandbox

            if "autograder.kernel" not in cmd:
                raise RuntimeError(f"not a grading kernel: {cmd}")
            args = list(cmd[cmd.index("autograder.kernel") + 1:])
            env = sandbox.kernel_environment(dict(kwargs.get("env") or {}), self.limits)
            cwd = str(kwargs.get("cwd") or os.getcwd())
            sock = self.zygote.start_kernel(self.job, cwd, args, env, self.limits.disk)
            self.process = MonitoredKernel(sock)
            self.pid = self.pgid = None
            self.cwd = kwargs.get("cwd", pathlib.Path.cwd())
            return self.connection_info

        async def send_signal(self, signum):
            if self.process is not None:
                self.process.send_signal(signum)

        async def kill(self, restart=False):
            if self.process is not None:
                self.process.kill()
                try:
                    self.process.wait(10)
                except subprocess.TimeoutExpired:
                    pass

        async def terminate(self, restart=False):
            await self.kill(restart)

    return ZygoteProvisioner


_PROVISIONER = None


def provisioner(km, zyg, job, limits):
    """A provisioner for ``km`` whose kernel ``zyg`` starts in ``job`` (see :meth:`Zygote.new_job`)."""
    global _PROVISIONER
    import uuid

    if _PROVISIONER is None:
        _PROVISIONER = _provisioner_class()
    prov = _PROVISIONER(kernel_id=km.kernel_id or str(uuid.uuid4()), kernel_spec=km.kernel_spec,
                        parent=km)
    prov.zygote, prov.job, prov.limits = zyg, job, limits
    return prov


if __name__ == "__main__":
    serve(sys.argv[1])
