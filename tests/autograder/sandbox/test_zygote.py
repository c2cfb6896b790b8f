"""Warm kernels (:mod:`autograder.sandbox.zygote`): each still in a sandbox of its own.

A real zygote in real bubblewrap starts real IPython kernels; each test runs code in them over
jupyter_client, as the grader does, and looks from the outside at what that code could reach.
"""

from __future__ import annotations

import json
import os
import socket
import stat
import sys
import threading
import time

import pytest
from jupyter_client import BlockingKernelClient
from jupyter_client.connect import write_connection_file

from autograder.grading import kernel_launch
from autograder.limits import Limits
from autograder.sandbox import bubblewrap as sandbox
from autograder.sandbox import zygote
from autograder.settings import REPO

pytestmark = pytest.mark.skipif(sandbox.bwrap_path() is None,
                                reason="needs bubblewrap (installed by .ci/run)")

LIMITS = Limits(memory=1 << 30, processes=64)


@pytest.fixture(scope="module")
def warm():
    env = {**os.environ, **kernel_launch.kernel_spec(LIMITS, True).env}
    z = zygote.Zygote(zygote._zygote_env(env), LIMITS)
    assert z.ready(), "the zygote did not start"
    yield z, env
    z.close()


class Kernel:
    """A kernel the zygote started for a staged folder, and a client to run code in it."""

    def __init__(self, warm, stage):
        z, env = warm
        self.job = z.new_job()
        self.connection_file = os.path.join(self.job, "c", "kernel.json")
        write_connection_file(self.connection_file, transport="ipc",
                              ip=os.path.join(self.job, "c", "k"))
        sock = z.start_kernel(self.job, str(stage), ["-f", self.connection_file],
                              sandbox.kernel_environment(env, LIMITS), LIMITS.disk)
        self.process = zygote.MonitoredKernel(sock)
        self.client = BlockingKernelClient(connection_file=self.connection_file)
        self.client.load_connection_file()
        self.client.start_channels()
        self.client.wait_for_ready(timeout=120)

    def run(self, code, timeout=120):
        """The kernel's stdout for ``code`` (raises if the code raised)."""
        out, errors = [], []

        def hook(msg):
            if msg["msg_type"] == "stream" and msg["content"]["name"] == "stdout":
                out.append(msg["content"]["text"])
            elif msg["msg_type"] == "error":
                errors.append(f"{msg['content']['ename']}: {msg['content']['evalue']}")

        self.client.execute_interactive(code, timeout=timeout, output_hook=hook)
        assert not errors, errors
        return "".join(out)

    def kill(self):
        self.client.stop_channels()
        self.process.kill()
        return self.process.wait(30)


@pytest.fixture
def stage(tmp_path):
    folder = tmp_path / "stage"
    folder.mkdir()
    (folder / "data.txt").write_text("the student's own file")
    return folder


def test_a_warm_kernel_works_in_a_fresh_copy_of_its_notebook_folder(warm, stage):
    k = Kernel(warm, stage)
    try:
        got = json.loads(k.run("import os, json\nopen('data.txt', 'a').write(' changed')\n"
                               "open('new.txt', 'w').write('x')\n"
                               "print(json.dumps([open('data.txt').read(), sorted(os.listdir('.'))]))"))
    finally:
        k.kill()
    assert got == ["the student's own file changed", ["data.txt", "new.txt"]]
    assert (stage / "data.txt").read_text() == "the student's own file"  # the host's copy: untouched
    assert not (stage / "new.txt").exists()


def test_a_kernel_sees_neither_the_zygote_nor_another_kernel(warm, stage):
    z, _ = warm
    a, b = Kernel(warm, stage), Kernel(warm, stage)
    try:
        a.run("open('/tmp/a-secret', 'w').write('a'); open('a-work', 'w').write('a')")
        seen = json.loads(b.run(
            "import os, json\n"
            f"spool = {z.spool!r}\n"
            "print(json.dumps({'spool': sorted(os.listdir(spool)), 'proc': os.listdir('/proc'),\n"
            "  'tmp': sorted(os.listdir('/tmp')), 'work': sorted(os.listdir('.')),\n"
            f"  'other': os.path.exists({a.job!r} + '/c/kernel.json'),\n"
            "  'pid': os.getpid()}))"))
    finally:
        a.kill()
        b.kill()
    assert seen["spool"] == [os.path.basename(b.job)]  # no zygote.sock, no other job
    assert seen["proc"] == []  # no process of any other kernel, nor the zygote, nor the host
    assert "a-secret" not in seen["tmp"] and seen["work"] == ["data.txt"]
    assert seen["other"] is False
    assert seen["pid"] == 1  # the first process of a pid namespace of its own


def test_a_kernel_has_no_network_not_even_the_hosts_loopback(warm, stage):
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(5)
    server.settimeout(0.5)
    port = server.getsockname()[1]
    received = []

    def listen():
        end = time.time() + 20
        while time.time() < end:
            try:
                conn, _ = server.accept()
                received.append(conn.recv(100))
                conn.close()
            except OSError:
                pass

    listener = threading.Thread(target=listen, daemon=True)
    listener.start()
    k = Kernel(warm, stage)
    try:
        out = k.run("import socket\n"
                    "try:\n"
                    f"    socket.create_connection(('127.0.0.1', {port}), timeout=3).sendall(b'hi')\n"
                    "    print('connected')\n"
                    "except OSError as exc:\n"
                    "    print('refused', exc.errno)")
    finally:
        k.kill()
    listener.join()
    server.close()
    assert out.startswith("refused"), out
    assert received == []


def test_a_kernel_has_no_capability_and_cannot_unhide_the_spool(warm, stage):
    z, _ = warm
    k = Kernel(warm, stage)
    try:
        got = json.loads(k.run(
            "import ctypes, json, os\n"
            "libc = ctypes.CDLL('libc.so.6', use_errno=True)\n"
            "class H(ctypes.Structure): _fields_ = [('v', ctypes.c_uint32), ('p', ctypes.c_int)]\n"
            "class D(ctypes.Structure): _fields_ = [('e', ctypes.c_uint32), ('p', ctypes.c_uint32),"
            " ('i', ctypes.c_uint32)]\n"
            "d = (D * 2)(); libc.capget(ctypes.byref(H(0x20080522, 0)), d)\n"
            f"umount = libc.umount2({z.spool!r}.encode(), 2)\n"
            "mount = libc.mount(b'none', b'/tmp', b'tmpfs', 0, None)\n"
            f"print(json.dumps([d[0].e, d[0].p, d[1].e, umount, mount, sorted(os.listdir({z.spool!r}))]))"))
    finally:
        k.kill()
    assert got[:3] == [0, 0, 0], "a capability is left"
    assert got[3] == -1 and got[4] == -1, "the kernel could change its mounts"
    assert got[5] == [os.path.basename(k.job)]


def test_a_fork_spree_is_stopped_and_costs_the_next_kernel_nothing(warm, stage):
    k = Kernel(warm, stage)
    try:
        out = k.run("import os, time\n"
                    "n = 0\n"
                    "for _ in range(500):\n"
                    "    try:\n"
                    "        if os.fork() == 0:\n"
                    "            time.sleep(60); os._exit(0)\n"
                    "        n += 1\n"
                    "    except OSError:\n"
                    "        break\n"
                    "print(n)")
    finally:
        k.kill()
    assert int(out) < LIMITS.processes
    after = Kernel(warm, stage)  # the same zygote, at once: the spree died with its kernel
    try:
        assert after.run("print(6 * 7)").strip() == "42"
    finally:
        after.kill()


def test_nothing_a_kernel_started_outlives_it(warm, stage):
    k = Kernel(warm, stage)
    marker = os.path.join(k.job, "c", "late.txt")  # the one host folder it may write to
    try:
        k.run("import os, time, subprocess\n"
              "if os.fork() == 0:\n"
              "    os.setsid()\n"
              "    if os.fork() == 0:\n"
              f"        time.sleep(3); open({marker!r}, 'w').write('still here')\n"
              "    os._exit(0)\n")
    finally:
        status = k.kill()
    assert status == -9
    time.sleep(5)
    assert not os.path.exists(marker), "a process the notebook started outlived its kernel"


def test_a_kernel_has_the_memory_cap(warm, stage):
    k = Kernel(warm, stage)
    try:
        out = k.run("try:\n    x = bytearray(2 << 30)\n    print('allocated')\n"
                    "except MemoryError:\n    print('MemoryError')")
    finally:
        k.kill()
    assert out.strip() == "MemoryError"


def test_only_the_grader_can_reach_the_zygote(warm):
    z, _ = warm
    mode = os.stat(z.spool).st_mode
    assert stat.S_IMODE(mode) == 0o700 and os.stat(z.spool).st_uid == os.getuid()
    assert os.path.exists(z.path)


def test_the_course_files_are_not_in_a_warm_kernel(warm, stage):
    paths = [str(p) for p in (REPO / "solutions", REPO / "course", REPO / "pyproject.toml",
                              "/etc/shadow", sys.prefix + "/../../solutions") if os.path.exists(p)]
    k = Kernel(warm, stage)
    try:
        got = json.loads(k.run(f"import os, json; print(json.dumps([os.path.exists(p) for p in {paths!r}]))"))
    finally:
        k.kill()
    assert len(paths) >= 3
    assert got == [False] * len(paths)


def test_folders_of_python_under_tmp_stay_visible_in_the_fresh_tmp(tmp_path_factory, stage):
    """A Python, a virtual environment or a library under /tmp (a CI clone, say) is bound again
    in each kernel's fresh /tmp, read-only; nothing else of the zygote's /tmp comes along."""
    lib = tmp_path_factory.mktemp("lib")
    assert str(lib).startswith("/tmp/")
    (lib / "libfake.txt").write_text("a library the kernel's Python needs")
    env = {**os.environ, **kernel_launch.kernel_spec(LIMITS, True).env, "LD_LIBRARY_PATH": str(lib)}
    z = zygote.Zygote(zygote._zygote_env(env), LIMITS)
    try:
        assert z.ready()
        k = Kernel((z, env), stage)
        try:
            got = json.loads(k.run(
                "import json, os\n"
                f"text = open({str(lib / 'libfake.txt')!r}).read()\n"
                "try:\n"
                f"    open({str(lib / 'new.txt')!r}, 'w'); writable = True\n"
                "except OSError:\n"
                "    writable = False\n"
                "print(json.dumps([text, writable, sorted(os.listdir('/tmp'))]))"))
        finally:
            k.kill()
    finally:
        z.close()
    assert got[0] == "a library the kernel's Python needs"
    assert got[1] is False
    assert not (lib / "new.txt").exists()
    # the first folders of what is kept (this library, a Python or venv under /tmp), the spool's,
    # and what the kernel itself made (its HOME is /tmp)
    kept = {p.split("/")[2] for p in sandbox.bound_paths(env) if p.startswith("/tmp/")}
    assert set(got[2]) <= kept | {lib.parts[2], os.path.basename(z.spool), ".ipython",
                                  ".matplotlib", ".jupyter"}


def test_a_zygote_under_a_deep_temporary_folder_still_starts_kernels(tmp_path, monkeypatch, stage):
    """A CI's temporary folder can be so deep that a kernel's sockets under it would pass the 107
    bytes of a Unix socket path ("File name too long"): the spool goes to a short folder then."""
    deep = tmp_path / ("d" * 60) / ("e" * 40)
    deep.mkdir(parents=True)
    monkeypatch.setattr("tempfile.tempdir", str(deep))
    env = {**os.environ, **kernel_launch.kernel_spec(LIMITS, True).env}
    z = zygote.Zygote(zygote._zygote_env(env), LIMITS)
    try:
        assert z.ready()
        assert not z.spool.startswith(str(deep))
        k = Kernel((z, env), stage)
        try:
            assert k.run("print(6 * 7)") == "42\n"
        finally:
            k.kill()
        assert len(os.path.join(k.job, "c", "k-10")) <= 107
    finally:
        z.close()
    assert not os.path.exists(z.spool)
