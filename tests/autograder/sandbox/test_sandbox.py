"""The sandbox of :mod:`autograder.sandbox.bubblewrap`, on its own: real bubblewrap running real Python.

Each test runs a few lines of Python in a sandbox built exactly as a grading kernel's is
(:func:`autograder.sandbox.bubblewrap.run`) and looks at what it could do from the outside.
"""

from __future__ import annotations

import json
import os
import socket
import sys
import threading
import time
from pathlib import Path

import pytest

from autograder.limits import Limits
from autograder.sandbox import bubblewrap as sandbox
from autograder.settings import REPO

pytestmark = pytest.mark.skipif(sandbox.bwrap_path() is None,
                                reason="needs bubblewrap (installed by .ci/run)")


def run_py(code, tmp_path, limits=None, timeout=60):
    stage = tmp_path / "stage"
    stage.mkdir(exist_ok=True)
    (stage / "data.txt").write_text("the student's own file")
    code = "from autograder.inkernel.kernel import prepare\nprepare()\n" + code  # as the kernel starts
    return sandbox.run([sys.executable, "-P", "-c", code], stage, limits or Limits(),
                       timeout=timeout)


def test_sandbox_can_be_made_here():
    sandbox.check()  # raises with what to do when it cannot


def test_python_and_the_course_packages_work_inside(tmp_path):
    r = run_py("import numpy, ann_lib, autograder.checks.core, ipykernel; print(open('data.txt').read())",
               tmp_path)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "the student's own file"


def test_course_files_outside_the_packages_are_invisible(tmp_path):
    (tmp_path / "secret.txt").write_text("the grader's")
    paths = [REPO / "solutions", REPO / "course", REPO / "pyproject.toml", tmp_path / "secret.txt",
             Path("/etc/shadow"), Path("/etc/hostname"), *Path.home().glob(".[!p]*")]
    paths = [p for p in paths if p.exists()]  # on the host
    assert len(paths) >= 6
    code = f"import os, json; print(json.dumps([os.path.exists(p) for p in {[str(p) for p in paths]!r}]))"
    r = run_py(code, tmp_path)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout) == [False] * len(paths)


def test_writes_stay_in_the_sandbox(tmp_path):
    stage = tmp_path / "stage"
    code = ("import os\nopen('mine.txt', 'w').write('x')\nopen('data.txt', 'w').write('changed')\n"
            "for p in ['/tmp/x', os.getcwd() + '/y']: open(p, 'w').write('x')\n"
            "bad = []\n"
            f"for p in ['/usr/pwned', {str(REPO / 'autograder' / 'pwned.py')!r}, '/pwned']:\n"
            "    try:\n        open(p, 'w').write('x'); bad.append(p)\n"
            "    except OSError:\n        pass\n"
            "print(bad)\n")
    r = run_py(code, tmp_path)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "[]"
    assert sorted(p.name for p in stage.iterdir()) == ["data.txt"]
    assert (stage / "data.txt").read_text() == "the student's own file"
    assert not (REPO / "autograder" / "pwned.py").exists()


def test_the_host_loopback_is_unreachable(tmp_path):
    server = socket.create_server(("127.0.0.1", 0))
    port = server.getsockname()[1]
    got = []

    def accept():
        server.settimeout(20)
        try:
            conn, _ = server.accept()
            got.append(conn.recv(100))
        except OSError:
            pass

    t = threading.Thread(target=accept)
    t.start()
    code = ("import socket\ntry:\n"
            f"    s = socket.create_connection(('127.0.0.1', {port}), timeout=3); s.sendall(b'leak')\n"
            "    print('connected')\nexcept OSError as e:\n    print('refused', e)\n")
    r = run_py(code, tmp_path)
    server.close()
    t.join()
    assert r.stdout.startswith("refused"), r.stdout + r.stderr
    assert got == []


def test_a_fork_spree_is_stopped(tmp_path):
    code = ("import os, time\nn = 0\ntry:\n    for _ in range(2000):\n        if os.fork() == 0:\n"
            "            time.sleep(5); os._exit(0)\n        n += 1\n"
            "except OSError:\n    pass\nprint(n)\n")
    r = run_py(code, tmp_path, Limits(processes=20))
    assert r.returncode == 0, r.stderr
    assert int(r.stdout) < 20


def test_filling_the_disk_fills_only_the_sandbox(tmp_path):
    code = ("import os\nfor where in ('big', '/tmp/big'):\n    n = 0\n    try:\n"
            "        with open(where, 'wb') as f:\n            while n < (1 << 30):\n"
            "                f.write(b'x' * (1 << 20)); f.flush(); n += 1 << 20\n"
            "    except OSError as e:\n        pass\n    print(n)\n")
    r = run_py(code, tmp_path, Limits(disk=8 << 20, file_size=1 << 30))
    sizes = [int(x) for x in r.stdout.split()]
    assert len(sizes) == 2, r.stderr
    assert all(s <= 8 << 20 for s in sizes)
    assert not (tmp_path / "stage" / "big").exists()


def test_a_detached_process_dies_with_the_sandbox(tmp_path):
    marker = f"ann-redteam-{os.getpid()}-{time.monotonic_ns()}"
    code = ("import os, sys, time\nif os.fork() == 0:\n    os.setsid()\n    if os.fork() == 0:\n"
            "        os.execv(sys.executable, [sys.executable, '-c',\n"
            f"                 'import time; time.sleep(60) #{marker}'])\n"
            "    os._exit(0)\ntime.sleep(1)\nprint('parent done')\n")
    r = run_py(code, tmp_path)
    assert r.stdout.strip() == "parent done", r.stderr
    time.sleep(0.5)
    assert surviving(marker) == []


def surviving(marker):
    """Pids of host processes whose command line contains ``marker``."""
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            if marker.encode() in Path(f"/proc/{pid}/cmdline").read_bytes():
                found.append(int(pid))
        except OSError:
            pass
    return found


def test_the_sandbox_has_no_capability_and_no_root(tmp_path):
    r = run_py("import os\nprint(os.getuid())\n"
               "print([l.split()[1] for l in open('/proc/self/status') if l.startswith('CapEff')][0])",
               tmp_path)
    uid, caps = r.stdout.split()
    assert int(uid) != 0
    assert int(caps, 16) == 0
