"""inkernel/kernel.py: what a graded kernel refuses once started, without starting one.

``seal`` runs in a Python of its own inside a fresh user and mount namespace (``unshare``, as the
sandbox gives the kernel): there it makes the connection folder read-only and drops every
capability, and a seal that cannot remount still drops them and stops. ``TreeOnly`` and
``verify`` run in-process (a real IPython shell, no kernel).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import numpy as np
import pytest

from autograder.inkernel import kernel

SEAL = """
import json, os, sys
from autograder.inkernel import kernel, libc
folder = sys.argv[1]
if sys.argv[2] == "mounted":
    libc.bind(folder, folder)  # the sandbox's connection folder is a mount of its own
got = {}
try:
    kernel.seal()
except OSError as exc:
    got["seal"] = type(exc).__name__
got["env_left"] = "ANN_COURSE_SEAL" in os.environ
for what, act in (("write", lambda: open(os.path.join(folder, "new"), "w").close()),
                  ("remount", lambda: libc.bind(folder, folder))):
    try:
        act()
        got[what] = "done"
    except OSError as exc:
        got[what] = type(exc).__name__
print(json.dumps(got))
"""


def _sealed(folder, mounted):
    if not shutil.which("unshare"):
        pytest.fail("unshare (util-linux) is needed: the sandbox's namespaces are what seal acts in")
    out = subprocess.run(["unshare", "--user", "--map-root-user", "--mount", sys.executable, "-c",
                          SEAL, str(folder), mounted], capture_output=True, text=True, timeout=60,
                         env={"ANN_COURSE_SEAL": str(folder), "PATH": "/usr/bin:/bin",
                              "PYTHONPATH": ":".join(sys.path)})
    assert out.returncode == 0, out.stderr[-2000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_a_sealed_kernel_cannot_write_its_connection_folder_nor_mount_again(tmp_path):
    got = _sealed(tmp_path, "mounted")
    assert "seal" not in got and got["env_left"] is False
    assert got["write"] in ("OSError", "PermissionError")  # EROFS
    assert got["remount"] in ("OSError", "PermissionError")  # no CAP_SYS_ADMIN left
    assert not (tmp_path / "new").exists()


def test_a_seal_that_cannot_remount_fails_and_still_drops_every_capability(tmp_path):
    got = _sealed(tmp_path, "not mounted")  # not a mount point: the remount is refused
    assert got["seal"] == "OSError"
    assert got["remount"] in ("OSError", "PermissionError")


def test_without_a_seal_folder_seal_does_nothing(monkeypatch):
    monkeypatch.delenv("ANN_COURSE_SEAL", raising=False)
    assert kernel.seal() is None


def test_tree_only_takes_ann_lib_from_the_tree_and_refuses_what_the_tree_lacks(tmp_path):
    (tmp_path / "ann_lib").mkdir()
    (tmp_path / "ann_lib" / "__init__.py").write_text("")
    spec = kernel.TreeOnly.find_spec("ann_lib", [str(tmp_path)])
    assert spec is not None and spec.origin == str(tmp_path / "ann_lib" / "__init__.py")
    # ann_lib.network exists in the course, but not in this tree: no other finder may supply it
    with pytest.raises(ModuleNotFoundError, match="not while graded"):
        kernel.TreeOnly.find_spec("ann_lib.network", [str(tmp_path / "ann_lib")])
    assert kernel.TreeOnly.find_spec("json") is None  # everything else: the usual finders


def test_tree_only_installs_its_finder_once(monkeypatch):
    monkeypatch.setattr(sys, "meta_path", list(sys.meta_path))
    kernel.tree_only()
    kernel.tree_only()
    assert sys.meta_path.count(kernel.TreeOnly) == 1 and sys.meta_path[0] is kernel.TreeOnly


def test_verify_names_each_change_once_and_trusted_bindings(monkeypatch):
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    monkeypatch.setattr(kernel, "_state", {})
    assert kernel.verify(shell) == "the grader's guard was not installed"
    kernel.snapshot(shell, "autograder.lessons.losses")
    kernel.trust_before(shell)
    monkeypatch.setitem(shell.user_ns, "checks", np)  # a locked cell binds a module
    kernel.trust_after(shell)
    assert kernel.verify(shell) == ""
    monkeypatch.setattr(np, "allclose", lambda *a, **k: True)
    shell.user_ns["checks"] = None
    problems = kernel.verify(shell)
    assert "numpy.allclose was replaced" in problems
    assert "the name `checks` was rebound" in problems
    assert kernel.verify(shell) == ""  # each change is told once
