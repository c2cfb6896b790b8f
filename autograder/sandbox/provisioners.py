"""jupyter_client provisioners that start a grading kernel in a sandbox of its own.

:class:`SandboxProvisioner` starts it in a bubblewrap of its own (:mod:`.bubblewrap`);
:class:`ZygoteProvisioner` has the worker's zygote fork it, warm, into its own namespaces
(:mod:`.zygote`). :func:`provisioner` makes either for a kernel manager.
"""

from __future__ import annotations

import os
import pathlib
import subprocess
import uuid
from typing import Any

from jupyter_client.connect import KernelConnectionInfo
from jupyter_client.provisioning import LocalProvisioner

from autograder.limits import Limits
from autograder.sandbox import bubblewrap, zygote

#: The module the grading kernel runs (``python -P -m KERNEL_MODULE -f CONNECTION_FILE``).
KERNEL_MODULE = "autograder.inkernel.kernel"


class SandboxProvisioner(LocalProvisioner):
    """jupyter_client's LocalProvisioner, with the kernel started in a sandbox of its own."""

    limits = Limits()
    tree: str | None = None  #: the lesson's kernel tree (autograder.grading.kernel_tree)
    _cgroup = None

    async def launch_kernel(self, cmd: list[str], **kwargs: Any) -> KernelConnectionInfo:
        assert self.parent is not None  # the kernel manager (see :func:`provisioner`)
        connection_dir = os.path.dirname(self.parent.connection_file)
        cwd = str(kwargs.get("cwd") or os.getcwd())
        argv = bubblewrap.command(cmd, cwd, connection_dir, self.limits, dict(kwargs.get("env") or {}),
                                  self.tree, seal=True)
        if bubblewrap.needs_pids_cgroup():
            self._cgroup = bubblewrap.PidsCgroup(self.limits.processes,
                                                 f"{os.getpid()}-{uuid.uuid4().hex}")
            argv = self._cgroup.wrap(argv)
        kwargs["cwd"] = "/"
        # what the kernel prints on its own stdout/stderr is not for the grader's terminal
        kwargs["stdout"] = kwargs["stderr"] = subprocess.DEVNULL
        return await super().launch_kernel(argv, **kwargs)

    async def cleanup(self, restart: bool = False) -> None:
        await super().cleanup(restart)
        if self._cgroup is not None:
            self._cgroup.close()
            self._cgroup = None


class ZygoteProvisioner(LocalProvisioner):
    """LocalProvisioner whose kernel the worker's zygote starts in a sandbox of its own."""

    zygote: Any = None  #: the worker's :class:`autograder.sandbox.zygote.Zygote`
    job: str = ""     #: its job folder (:meth:`autograder.sandbox.zygote.Zygote.new_job`)
    limits = Limits()

    async def launch_kernel(self, cmd: list[str], **kwargs: Any) -> KernelConnectionInfo:
        if KERNEL_MODULE not in cmd:
            raise RuntimeError(f"not a grading kernel: {cmd}")
        args = list(cmd[cmd.index(KERNEL_MODULE) + 1:])
        env = bubblewrap.kernel_environment(dict(kwargs.get("env") or {}), self.limits)
        env["ANN_COURSE_SEAL"] = os.path.join(self.job, "c")  # read-only once it is bound
        cwd = str(kwargs.get("cwd") or os.getcwd())
        sock = self.zygote.start_kernel(self.job, cwd, args, env, self.limits.disk)
        self.process = zygote.MonitoredKernel(sock)  # type: ignore[assignment] # enough of a Popen
        self.pid = self.pgid = None
        self.cwd = kwargs.get("cwd", pathlib.Path.cwd())
        return self.connection_info

    async def send_signal(self, signum: int) -> None:
        if self.process is not None:
            self.process.send_signal(signum)

    async def kill(self, restart: bool = False) -> None:
        if self.process is not None:
            self.process.kill()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                pass

    async def terminate(self, restart: bool = False) -> None:
        await self.kill(restart)


def provisioner(km: Any, cls: type[LocalProvisioner], **attributes: Any) -> LocalProvisioner:
    """A ``cls`` provisioner for the kernel manager ``km`` (before its kernel is started), with
    ``attributes`` set (``limits``; for a :class:`ZygoteProvisioner` also ``zygote`` and ``job``,
    see :meth:`autograder.sandbox.zygote.Zygote.new_job`)."""
    prov = cls(kernel_id=km.kernel_id or str(uuid.uuid4()), kernel_spec=km.kernel_spec, parent=km)
    for name, value in attributes.items():
        setattr(prov, name, value)
    return prov
