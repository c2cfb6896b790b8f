"""The sandbox every grading kernel runs in: bubblewrap (Debian package ``bubblewrap``).

One sandbox per notebook's kernel (:func:`command` builds its ``bwrap`` command line):

* new user, pid, ipc, uts, cgroup, mount and **network** namespaces (``--unshare-all``, no
  ``--share-net``: not even the host's loopback is reachable), ``--die-with-parent``,
  ``--new-session``, no capability (and, under a root grader, uid ``nobody`` in the sandbox);
* a read-only filesystem made of what Python needs (``/usr``, ``/lib*``, a few files of ``/etc``,
  the interpreter's prefix, the virtual environment) and the two packages the hidden tests import
  (``ann_lib/`` and ``autograder/``, read-only, at their own paths and at :data:`PACKAGES`, first
  on the kernel's ``PYTHONPATH``: the grader's own copy, wherever it came from); nothing else of
  the course
  (no ``solutions/``, no other submission, no gradebook, no output folder);
* a fresh ``/tmp`` and a fresh working folder, both small tmpfs (``disk`` bytes each): a notebook
  that fills its disk fills only its own, thrown away with the sandbox. The working folder starts
  as a copy of the staged notebook folder (read-only at :data:`STAGE`, copied by
  :func:`autograder.inkernel.kernel.main`);
* the kernel's own connection folder (its IPC sockets and connection file), nothing of any other;
* limits: address space, file size, CPU time and processes are set by the kernel on itself
  (:func:`autograder.inkernel.kernel.main`, from :data:`LIMITS_ENV`) once inside the user namespace. Linux
  does not enforce ``RLIMIT_NPROC`` for the real uid 0, so a grader running as root also puts
  each sandbox in a pids cgroup of its own (:class:`PidsCgroup`).

When the sandbox's first process ends (or the grader kills it), the pid namespace dies with every
process the notebook started.
"""

from __future__ import annotations

import os
import shutil
import site
import subprocess
import sys
import uuid
from collections.abc import Mapping, Sequence
from pathlib import Path

from autograder.inkernel import zygote_server
from autograder.limits import DEFAULT_LIMITS, LIMITS_ENV, Limits

#: Where the staged notebook folder is seen, read-only, inside the sandbox.
STAGE = "/run/ann-course-stage"
#: Where the grader's matplotlib font cache is seen, read-only (copied by the kernel: no rebuild).
MPL_CACHE = "/run/ann-course-mpl"
#: Where the grader's own ``ann_lib`` and ``autograder`` are seen, read-only, first on the kernel's
#: ``PYTHONPATH``: the kernel imports the very code the grader runs, wherever the grader found it
#: (an instructor's ``python -m autograder`` in a course folder imports that folder's copy, which
#: the installed package's import path knows nothing of).
PACKAGES = zygote_server.PACKAGES
PIDS_ROOTS = ("/sys/fs/cgroup/pids", "/sys/fs/cgroup")


class SandboxUnavailable(RuntimeError):
    """bubblewrap is missing or cannot create its namespaces on this machine."""


INSTALL_HINT = ("install bubblewrap (Debian/Ubuntu: `sudo apt-get install bubblewrap`; Fedora: "
                "`sudo dnf install bubblewrap`)")
USERNS_HINT = (
    "unprivileged user namespaces are blocked on this machine. Allow them: "
    "`sudo sysctl -w kernel.unprivileged_userns_clone=1` (Debian), "
    "`sudo sysctl -w user.max_user_namespaces=15000`, on Ubuntu 24.04+ "
    "`sudo sysctl -w kernel.apparmor_restrict_unprivileged_userns=0`; in a Docker container run "
    "it with `--security-opt seccomp=unconfined --security-opt apparmor=unconfined` (or "
    "`--privileged`)")
TRUST_HINT = ("or, only for submissions you trust (e.g. the bundled sample class), grade without "
              "a sandbox with `ann-course grade --trust-submissions`")


def bwrap_path() -> str | None:
    return shutil.which("bwrap")


def _system_binds():
    """Read-only views of the system: /usr, /lib*, /bin, /sbin (symlinks kept), bits of /etc."""
    args = ["--ro-bind", "/usr", "/usr"]
    for name in ("/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"):
        if os.path.islink(name):
            args += ["--symlink", os.readlink(name), name]
        elif os.path.isdir(name):
            args += ["--ro-bind", name, name]
    for name in ("/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/localtime",
                 "/etc/alternatives", "/etc/fonts", "/etc/mime.types", "/etc/matplotlibrc"):
        if os.path.exists(name):
            args += ["--ro-bind", name, name]
    return args


def _packages():
    """The folders of the grader's own ``ann_lib`` and ``autograder`` (the ones this process runs)."""
    import ann_lib
    import autograder

    return [str(Path(m.__file__).resolve().parent) for m in (ann_lib, autograder)]


def course_packages() -> list[str]:
    """The real folders of the course's ``ann_lib`` and ``autograder`` (hidden from a kernel that
    gets its lesson's kernel tree instead)."""
    return _packages()


def _python_paths():
    """What the kernel's Python needs: prefixes, site-packages, and our two packages."""
    paths = {sys.base_prefix, sys.base_exec_prefix, sys.prefix, sys.exec_prefix,
             os.path.dirname(os.path.realpath(sys.executable)),
             os.path.dirname(os.path.abspath(sys.executable)), *_packages()}
    paths.update(site.getsitepackages())
    # site-packages folders a .pth file added (an environment layered on another one), but never
    # a folder of the course itself (sys.path may hold the current folder or the repository)
    paths.update(p for p in sys.path
                 if p and os.path.basename(p.rstrip("/")) in ("site-packages", "dist-packages"))
    existing = sorted(p for p in paths if p and os.path.isdir(p) and p != "/")
    # a folder inside another one is already there
    return [p for p in existing
            if not any(p != q and p.startswith(q.rstrip("/") + "/") for q in existing)]


_mpl: list[str | None] = []


def _mpl_cache():
    """The grader's matplotlib cache folder with its font list built (once per process), or None."""
    if not _mpl:
        try:
            import matplotlib
            from matplotlib import font_manager  # noqa: F401 - builds the font list if missing

            _mpl.append(matplotlib.get_cachedir())
        except Exception:  # noqa: BLE001 - no matplotlib: nothing to share
            _mpl.append(None)
    return _mpl[0]


def _namespaces():
    """bwrap's first arguments: every namespace, no capability (uid nobody under root)."""
    bwrap = bwrap_path()
    if not bwrap:
        raise SandboxUnavailable(f"bubblewrap (bwrap) is not installed: {INSTALL_HINT}")
    args = [bwrap, "--unshare-all", "--die-with-parent", "--new-session", "--clearenv",
            "--cap-drop", "ALL"]
    if os.getuid() == 0:  # a user namespace of its own, and no root in it (nobody, no capability)
        args += ["--unshare-user", "--uid", "65534", "--gid", "65534"]
    return args


def _libraries(env):
    """LD_LIBRARY_PATH folders a Python may need (never a folder of the course)."""
    return [p for p in env.get("LD_LIBRARY_PATH", "").split(":")
            if p and os.path.isdir(p) and not os.path.isdir(os.path.join(p, "solutions"))]


def bound_paths(env: Mapping[str, str]) -> list[str]:
    """The host folders a sandbox sees read-only at their own paths (Python, its libraries)."""
    return [*_python_paths(), *_libraries(env)]


def _filesystem(env, disk, tree=None):
    """The read-only system, Python and course packages, a fresh /tmp (``disk`` bytes).

    With ``tree`` (a lesson's kernel tree, :mod:`autograder.grading.kernel_tree`) the kernel sees that tree at
    :data:`PACKAGES` and nothing of the course's own packages.
    """
    args = [*_system_binds(), "--proc", "/proc", "--dev", "/dev",
            "--size", str(disk), "--tmpfs", "/tmp", "--dir", "/run"]
    for path in _python_paths():
        args += ["--ro-bind", path, path]
    for path in _libraries(env):  # a Python that finds its shared library through LD_LIBRARY_PATH
        args += ["--ro-bind", path, path]
    if _mpl_cache():
        args += ["--ro-bind", _mpl_cache(), MPL_CACHE]
    for package in _packages():
        source = os.path.join(tree, os.path.basename(package)) if tree else package
        args += ["--ro-bind", source, f"{PACKAGES}/{os.path.basename(package)}"]
        if tree:  # the course's own copy, wherever it is, hidden under an empty folder
            args += ["--tmpfs", package, "--remount-ro", package]
    return args


def _devices() -> list[str]:
    """A /dev of the few devices a Python uses (bound from the host), and a 1 MiB /dev/shm."""
    args = ["--tmpfs", "/dev"]
    for name in ("null", "zero", "full", "random", "urandom"):
        if os.path.exists(f"/dev/{name}"):
            args += ["--dev-bind", f"/dev/{name}", f"/dev/{name}"]
    for i, name in enumerate(("stdin", "stdout", "stderr")):
        args += ["--symlink", f"/proc/self/fd/{i}", f"/dev/{name}"]
    return [*args, "--symlink", "/proc/self/fd", "/dev/fd", "--size", str(1 << 20), "--tmpfs",
            "/dev/shm"]


def kernel_environment(env: Mapping[str, str], limits: Limits) -> dict[str, str]:
    """A kernel's whole environment in a sandbox, from the one jupyter_client would give it."""
    kernel_env = {"ANN_COURSE_MPL_CACHE": MPL_CACHE} if _mpl_cache() else {}
    kernel_env |= {"HOME": "/tmp", "PATH": "/usr/local/bin:/usr/bin:/bin",
                   "LANG": env.get("LANG", "C.UTF-8"), "TMPDIR": "/tmp",
                   "IPYTHONDIR": "/tmp/.ipython", "MPLCONFIGDIR": "/tmp/.matplotlib",
                   "JUPYTER_RUNTIME_DIR": "/tmp/.jupyter", "JUPYTER_CONFIG_DIR": "/tmp/.jupyter",
                   "JUPYTER_DATA_DIR": "/tmp/.jupyter", "ANN_COURSE_STAGE": STAGE,
                   "PYDEVD_DISABLE_FILE_VALIDATION": "1"}
    for key, value in env.items():
        if key.startswith(("ANN_COURSE_", "JPY_", "OPENBLAS_", "OMP_", "MKL_", "PYTHON", "MPLBACKEND",
                           "MALLOC_")):
            kernel_env[key] = value
    kernel_env["PYTHONPATH"] = ":".join([PACKAGES, *filter(None, [env.get("PYTHONPATH")])])
    if _libraries(env):
        kernel_env["LD_LIBRARY_PATH"] = ":".join(_libraries(env))
    kernel_env.update(limits.env())
    return kernel_env


def _setenv(env):
    return [arg for key, value in sorted(env.items()) for arg in ("--setenv", key, value)]


def command(argv: Sequence[str], cwd: str, connection_dir: str | None, limits: Limits,
            env: Mapping[str, str], tree: str | None = None, seal: bool = False) -> list[str]:
    """The ``bwrap`` command line that runs ``argv`` (the kernel) in a sandbox of its own.

    ``cwd`` is the staged notebook folder: the kernel works in a fresh tmpfs at that same path,
    filled with a copy of it. ``connection_dir`` holds the kernel's connection file and IPC
    sockets (the only host folder it may write to); with ``seal`` (a grading kernel) it is
    read-only once the kernel bound its sockets (:func:`autograder.inkernel.kernel.seal`). ``env`` is the
    kernel's whole environment.
    """
    cwd = os.path.abspath(cwd)
    connection_dir = connection_dir and os.path.abspath(connection_dir)
    args = [*_namespaces(), *_filesystem(env, limits.disk, tree),
            "--ro-bind", cwd, STAGE, "--size", str(limits.disk), "--tmpfs", cwd]
    kernel_env = kernel_environment(env, limits)
    if connection_dir:
        args += ["--bind", connection_dir, connection_dir]
    if connection_dir and seal:  # the kernel makes it read-only, then drops this capability
        args += ["--cap-add", "CAP_SYS_ADMIN"]
        kernel_env["ANN_COURSE_SEAL"] = connection_dir
        i = args.index("--dev")  # bwrap's own /dev would leave the kernel's mounts out of its reach
        args[i:i + 2] = _devices()
    args += ["--remount-ro", "/", "--chdir", cwd, *_setenv(kernel_env)]
    return [*args, "--", *argv]


def zygote_command(argv: Sequence[str], spool: str, env: Mapping[str, str], limits: Limits) -> list[str]:
    """The ``bwrap`` command line of a kernel zygote (:mod:`autograder.sandbox.zygote`).

    The same sandbox as a kernel's, with ``spool`` (the worker's private folder for its kernels'
    connection files and staged notebooks) as the one writable host folder, and the mount points
    each kernel's own sandbox needs.
    """
    spool = os.path.abspath(spool)
    env = kernel_environment(env, limits)
    for key in LIMITS_ENV:  # limits are each kernel's, not the zygote's
        env.pop(key, None)
    args = [*_namespaces(), *_filesystem(env, limits.disk), "--dir", zygote_server.WORK,
            "--dir", zygote_server.JOB,
            "--bind", spool, spool, "--remount-ro", "/", "--chdir", "/", *_setenv(env)]
    return [*args, "--", *argv]


def run(argv: Sequence[str], cwd: str, limits: Limits = DEFAULT_LIMITS, env: Mapping[str, str] | None = None,
        timeout: float = 60, connection_dir: str | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``argv`` in a sandbox as a kernel gets it (pids cgroup included); a CompletedProcess."""
    cgroup = PidsCgroup(limits.processes, f"{os.getpid()}-{uuid.uuid4().hex}") \
        if needs_pids_cgroup() else None
    argv = command(argv, cwd, connection_dir, limits, env or {})
    try:
        return subprocess.run(cgroup.wrap(argv) if cgroup else argv, capture_output=True,
                              text=True, timeout=timeout)
    finally:
        if cgroup:
            cgroup.close()


class PidsCgroup:
    """A pids cgroup of its own for one sandbox (for a grader running as root; see above)."""

    def __init__(self, limit, name):
        self.path = None
        root = pids_root()
        if root is None:
            return
        self.path = os.path.join(root, "ann-course", name)
        os.makedirs(self.path, exist_ok=True)
        Path(self.path, "pids.max").write_text(f"{int(limit)}\n")

    def wrap(self, argv: list[str]) -> list[str]:
        """``argv`` started from inside the cgroup (a shell puts itself there, then execs)."""
        if self.path is None:
            return argv
        procs = os.path.join(self.path, "cgroup.procs")
        return ["/bin/sh", "-c", f'echo $$ > "{procs}" && exec "$@"', "sh", *argv]

    def close(self) -> None:
        """Kill whatever is still in the cgroup, then remove it."""
        if self.path is None:
            return
        import signal
        import time

        for _ in range(50):
            try:
                pids = [int(p) for p in Path(self.path, "cgroup.procs").read_text().split()]
            except OSError:
                break
            if not pids:
                break
            for pid in pids:
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass
            time.sleep(0.02)
        try:
            os.rmdir(self.path)
        except OSError:
            pass
        self.path = None


def sweep_cgroups() -> None:
    """Empty and remove the pids cgroups left by processes that are gone (a killed worker's)."""
    root = pids_root() if needs_pids_cgroup() else None
    if root is None:
        return
    for folder in Path(root, "ann-course").iterdir():
        creator = folder.name.split("-")[0]
        if not (folder.is_dir() and creator.isdigit()):
            continue
        try:
            os.kill(int(creator), 0)
            continue  # its creator still runs: still in use
        except ProcessLookupError:
            pass
        except OSError:
            continue
        cgroup = PidsCgroup.__new__(PidsCgroup)
        cgroup.path = str(folder)
        cgroup.close()


def pids_root() -> str | None:
    """A writable pids cgroup hierarchy (v1 ``pids`` or v2 with the pids controller), or None."""
    for root in PIDS_ROOTS:
        top = os.path.join(root, "ann-course")
        if not os.path.isdir(root):
            continue
        if root == "/sys/fs/cgroup" and "pids" not in _read(os.path.join(root, "cgroup.controllers")):
            continue
        if root == "/sys/fs/cgroup/pids" and not os.path.exists(os.path.join(root, "cgroup.procs")):
            continue
        try:
            os.makedirs(top, exist_ok=True)
            if root == "/sys/fs/cgroup":
                Path(root, "cgroup.subtree_control").write_text("+pids\n")
                Path(top, "cgroup.subtree_control").write_text("+pids\n")
        except OSError:
            continue
        if os.access(top, os.W_OK):
            return top.removesuffix("/ann-course")
    return None


def _read(path):
    try:
        return Path(path).read_text()
    except OSError:
        return ""


def needs_pids_cgroup() -> bool:
    """Linux ignores RLIMIT_NPROC for the real uid 0: a root grader needs a pids cgroup."""
    return os.getuid() == 0


def check() -> None:
    """Raise :class:`SandboxUnavailable` (saying what to do) unless sandboxes can be made here."""
    bwrap = bwrap_path()
    if not bwrap:
        raise SandboxUnavailable(
            f"bubblewrap (bwrap) is not installed, and grading runs each student's notebook in a "
            f"bubblewrap sandbox: {INSTALL_HINT}; {TRUST_HINT}")
    probe = [bwrap, "--unshare-all", "--die-with-parent", "--new-session", *_system_binds(),
             "--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp", "--", "/bin/true"]
    try:
        run = subprocess.run(probe, capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise SandboxUnavailable(f"bubblewrap ({bwrap}) could not run: {exc}; {TRUST_HINT}") from exc
    if run.returncode != 0:
        err = (run.stderr or "").strip().splitlines()
        raise SandboxUnavailable(
            f"bubblewrap ({bwrap}) cannot create a sandbox here ({err[-1] if err else run.returncode}): "
            f"{USERNS_HINT}; {TRUST_HINT}")
    if needs_pids_cgroup() and pids_root() is None:
        raise SandboxUnavailable(
            "the grader runs as root, for which Linux does not enforce a process limit, and no pids "
            "cgroup is writable (/sys/fs/cgroup/pids or cgroup v2 with the pids controller): run "
            f"`ann-course grade` as an unprivileged user; {TRUST_HINT}")
