"""Real Unix users for the tests that need them (as root): created, run as, removed.

Tests that grade or serve the course as an ordinary user (an instructor's account on a
JupyterHub, say) need that user to run this project's Python. The test's own interpreter, its
venv and the clone itself may sit where other users cannot read them (pyenv under /root, a clone
in a private folder), so :func:`users_venv` makes a venv the user can run, on a copy of this
project's installed packages in a folder every user can read.
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

BIN = Path(sys.executable).parent


def shared_folder(prefix):
    """A new folder every user may read, for the users' Python and venv: outside /tmp, where a
    grading kernel's sandbox mounts a fresh, empty /tmp (a Python kept there would vanish)."""
    parent = "/var/tmp" if os.path.isdir("/var/tmp") else None
    folder = Path(tempfile.mkdtemp(prefix=prefix, dir=parent))
    folder.chmod(0o755)
    return folder


def unavailable(reason):
    """Skip, except under CI (``CI`` set), where a test that cannot run is a failure."""
    if os.environ.get("CI"):
        pytest.fail(f"cannot run under CI: {reason}", pytrace=False)
    pytest.skip(reason)


def require_root(tools=("useradd", "userdel")):
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        unavailable("needs root (it creates Unix users)")
    for tool in tools:
        if shutil.which(tool) is None:
            unavailable(f"no {tool} on PATH")


def run(cmd, user=None, cwd=None, env=None, check=True, timeout=600):
    """Run ``cmd`` (as the Unix ``user`` if given, with that user's HOME); fail with its output."""
    kwargs = {}
    if user is not None:
        pw = pwd.getpwnam(user)
        kwargs = {"user": pw.pw_uid, "group": pw.pw_gid, "extra_groups": []}
        env = {**(env or os.environ), "HOME": pw.pw_dir, "USER": user, "LOGNAME": user}
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout,
                          **kwargs)
    if check and proc.returncode != 0:
        raise AssertionError(f"{cmd!r} as {user or 'root'} exited {proc.returncode}\n--- stdout\n"
                             f"{proc.stdout[-3000:]}\n--- stderr\n{proc.stderr[-3000:]}")
    return proc


def add_user(name, home=None):
    """A fresh Unix user ``name`` with a home folder (a leftover of an interrupted run is removed)."""
    remove_user(name)
    run(["useradd", "--create-home", "--shell", "/bin/bash", *(["-d", str(home)] if home else []),
         name])


def remove_user(name):
    """Kill ``name``'s processes (only that user's), then remove the user and its home."""
    run(["pkill", "-KILL", "-u", name], check=False)
    run(["userdel", "-r", name], check=False)


def _runs(python, user, extra=None):
    try:
        return run([str(python), "-c", "import venv"], user=user, check=False,
                   env={**os.environ, **(extra or {})}).returncode == 0
    except OSError:  # not executable by the user
        return False


def users_python(dest, user):
    """This Python, or a copy of it the Unix ``user`` can run; ``(python, extra environment)``.

    The test's Python may sit where the users cannot read it (pyenv under /root): then its
    interpreter and standard library (not its site-packages) are copied to ``dest``, the shared
    library found with ``LD_LIBRARY_PATH``. Another Python of the same minor version is no
    substitute: packages may rely on fixes of later patch releases (soupsieve, Python 3.11.2).
    """
    python = Path(sys._base_executable).resolve()
    if _runs(python, user):
        return python, {}
    src = Path(sys.base_prefix)
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    (dest / "bin").mkdir(parents=True)
    (dest / "lib").mkdir()
    shutil.copy2(python, dest / "bin" / version)
    for lib in src.glob("lib/libpython*.so*"):
        shutil.copy2(lib, dest / "lib" / lib.name)
    shutil.copytree(src / "lib" / version, dest / "lib" / version, symlinks=True,
                    ignore=shutil.ignore_patterns("site-packages", "test", "idlelib", "tkinter"))
    (dest / "lib" / version / "site-packages").mkdir()
    extra = {"LD_LIBRARY_PATH": str(dest / "lib")}
    copy = dest / "bin" / version
    if not _runs(copy, user, extra):
        unavailable(f"no copy of {python} that the Unix users may run")
    return copy, extra


def link_tree(src, dest):
    """``src`` copied to ``dest`` as hard links (the same files, instantly), real copies where
    ``dest`` is on another file system; ``__pycache__`` folders left out."""
    def link(source, target):
        try:
            os.link(source, target)
        except OSError:
            shutil.copy2(source, target)

    shutil.copytree(src, dest, symlinks=True, copy_function=link,
                    ignore=shutil.ignore_patterns("__pycache__"))


def users_venv(dest, user):
    """A venv the Unix users can run, on this project's installed packages.

    This test's own venv, and the clone, may rest where the users cannot read (a clone in root's
    home or in a private temporary folder), so what the users need of them is linked
    (:func:`link_tree`) beside ``dest``, in its parent folder (which every user must be able to
    read, see :func:`shared_folder`): this venv's site-packages with the clone's ``ann_lib`` and
    ``autograder`` in it, and Jupyter's data and config. The users' venv, on this Python (or a
    copy, see :func:`users_python`), reaches those site-packages through a ``.pth``: the same
    course package, nbgrader, JupyterLab and its extensions. Returns its python, the environment
    that points Jupyter at the extensions' data, and the config folder.
    """
    from autograder.settings import REPO

    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    base, extra = users_python(dest.parent / "python", user)
    run([str(base), "-m", "venv", "--without-pip", str(dest)], env={**os.environ, **extra})
    prefix = Path(sys.prefix)
    shared = dest.parent / "packages"
    site = shared / "site-packages"
    link_tree(prefix / "lib" / version / "site-packages", site)
    for package in ("ann_lib", "autograder"):  # the clone's, found before the editable install's
        link_tree(REPO / package, site / package)
    link_tree(prefix / "share" / "jupyter", shared / "share" / "jupyter")
    link_tree(prefix / "etc" / "jupyter", shared / "etc" / "jupyter")
    (dest / "lib" / version / "site-packages" / "ann_course_test.pth").write_text(
        f"import site; site.addsitedir({str(site)!r})\n")
    for script in BIN.iterdir():  # the console scripts (jupyter, nbgrader, alembic...), on our python
        if script.name.startswith(("python", "activate", "pip", "Activate")) or not script.is_file():
            continue
        head, _, rest = script.read_bytes().partition(b"\n")
        if head.startswith(b"#!") and str(BIN).encode() in head:
            target = dest / "bin" / script.name
            target.write_bytes(b"#!" + str(dest / "bin" / "python").encode() + b"\n" + rest)
            target.chmod(0o755)
    env = {**extra, "JUPYTER_PATH": str(shared / "share" / "jupyter"),
           "JUPYTERLAB_DIR": str(shared / "share" / "jupyter" / "lab")}
    return dest / "bin" / "python", env, shared / "etc" / "jupyter"
