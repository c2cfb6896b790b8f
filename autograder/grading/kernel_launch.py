"""Launching the grading kernel: its kernel spec, IPC sockets, and the sandbox it starts in."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path
from typing import Any

from jupyter_client.kernelspec import KernelSpec
from nbgrader.preprocessors import Execute

from autograder.checks import plain
from autograder.grading.kernel_channels import prompt_client
from autograder.limits import Limits
from autograder.sandbox import provisioners, socket_paths, zygote


def kernel_spec(limits: Limits, sandboxed: bool = False) -> KernelSpec:
    """The grading kernel: safe sys.path, the memory cap of ``limits``, one BLAS thread.

    In a sandbox, interrupts go as messages (a signal would reach bubblewrap, not the kernel),
    and the sandbox gives the kernel every other limit (:func:`sandbox_kernel`).
    """
    env = {"ANN_COURSE_MEMORY": str(int(limits.memory or 0)), "PYTHONSAFEPATH": "1",
           "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
           "MPLBACKEND": "Agg",
           # glibc reserves 64 MiB of address space per thread's malloc arena: under the cap, a
           # kernel's threads alone could use it up
           "MALLOC_ARENA_MAX": "2"}
    return KernelSpec(argv=[sys.executable, "-P", "-m", provisioners.KERNEL_MODULE, "-f",
                            "{connection_file}"],
                      display_name="ann-course grader", language="python", env=env,
                      interrupt_mode="message" if sandboxed else "signal",
                      resource_dir=str(Path(__file__).parent))


def use_ipc(km: Any, folder: str | None = None) -> str:
    """Talk to ``km``'s kernel over Unix sockets in a private folder (returned), not TCP ports.

    Kernels started at the same time over TCP race for free ports ("Address already in use");
    IPC sockets are named after the kernel's own connection file, so they cannot collide.
    """
    folder = folder or socket_paths.folder("annk-", len("/k-10"))
    km.transport = "ipc"
    km.connection_file = os.path.join(folder, "kernel.json")
    km.ip = os.path.join(folder, "k")
    return folder


#: How many messages from a kernel may wait unread in the grader, per socket.
RECEIVE_QUEUE = 16


def bounded_client(km: Any) -> None:
    """``km``'s clients refuse any message larger than :data:`autograder.checks.plain.MAX_MESSAGE`.

    ZeroMQ drops such a message (``MAXMSGSIZE``: the kernel's connection is cut, then made again)
    before the grader holds any of it: a kernel cannot make the grader parse a gigabyte. At most
    :data:`RECEIVE_QUEUE` messages wait unread (a kernel that floods its output loses the rest).
    """
    import zmq

    base = km.client_factory

    class BoundedClient(base):  # type: ignore[misc, valid-type]
        def _context_default(self) -> Any:
            context = super()._context_default()
            context.setsockopt(zmq.MAXMSGSIZE, plain.MAX_MESSAGE)
            context.setsockopt(zmq.RCVHWM, RECEIVE_QUEUE)  # what may wait unread, in messages
            return context

    km.client_factory = BoundedClient


class IpcExecute(Execute):
    """nbgrader's Execute, on a kernel reached over IPC (see :func:`use_ipc`), whose replies are
    waited for in short slices (:mod:`autograder.grading.kernel_channels`)."""

    _ipc_dir: str | None = None  #: the kernel's IPC folder, removed once it is gone

    def create_kernel_manager(self) -> Any:
        km = super().create_kernel_manager()
        self._ipc_dir = use_ipc(km)
        prompt_client(km)
        bounded_client(km)
        return km

    def preprocess(self, nb: Any, resources: Any = None, km: Any = None) -> Any:
        self._ipc_dir = None
        try:
            return super().preprocess(nb, resources, km)
        finally:
            if self._ipc_dir:
                shutil.rmtree(self._ipc_dir, ignore_errors=True)


def sandbox_kernel(km: Any, limits: Limits, ipc_dir: str, tree: str | None = None) -> str:
    """Have ``km``'s kernel start in a sandbox of its own, with ``limits``, seeing ``tree`` (its
    lesson's kernel tree, :mod:`autograder.grading.kernel_tree`) in place of the course's packages.

    A warm start where this thread's zygote runs (:mod:`autograder.sandbox.zygote`), else a
    bubblewrap of its own. Returns the folder to remove once the kernel is gone (``ipc_dir``, or
    the zygote's job folder that replaces it).
    """
    warm = zygote.zygote({**os.environ, **km._kernel_spec.env}, limits)
    if warm is None:
        km.provisioner = provisioners.provisioner(km, provisioners.SandboxProvisioner, limits=limits,
                                                  tree=tree)
        return ipc_dir
    shutil.rmtree(ipc_dir, ignore_errors=True)
    job = warm.new_job()
    use_ipc(km, os.path.join(job, "c"))
    if tree:
        shutil.copytree(tree, os.path.join(job, "p"))
    km.provisioner = provisioners.provisioner(km, provisioners.ZygoteProvisioner, zygote=warm,
                                              job=job, limits=limits)
    return job
