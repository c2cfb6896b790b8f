"""What one notebook may use while it is graded: one :class:`Limits`, declared here only.

``ann-course grade`` makes it from its flags, the run carries it to every job, and one function
(:func:`autograder.grading.configuration.configure_grading`) applies it, for ``grade`` and for
``check`` alike; the sandbox (:mod:`autograder.sandbox`) and the kernel
(:func:`autograder.inkernel.kernel.apply_limits`) read it, the kernel through :data:`KERNEL_ENV`.
"""

from __future__ import annotations

from dataclasses import dataclass

#: How the kernel learns the limits it sets on itself: (environment variable, field, rlimit).
KERNEL_ENV = (("ANN_COURSE_MEMORY", "memory", "RLIMIT_AS"),
              ("ANN_COURSE_NPROC", "processes", "RLIMIT_NPROC"),
              ("ANN_COURSE_FSIZE", "file_size", "RLIMIT_FSIZE"),
              ("ANN_COURSE_CPU", "cpu", "RLIMIT_CPU"))
#: The environment variables of :data:`KERNEL_ENV`.
LIMITS_ENV = tuple(name for name, _, _ in KERNEL_ENV)


@dataclass(frozen=True)
class Limits:
    """What one notebook, and its kernel, may use."""

    timeout: int = 60              #: seconds one cell may run (then interrupted; the rest is graded)
    budget: int = 600              #: seconds the whole notebook may take; also its kernel's CPU seconds
    memory: int = 1 << 30          #: address space of the kernel in bytes (RLIMIT_AS; 0: no cap)
    processes: int = 64            #: processes and threads (RLIMIT_NPROC, pids cgroup)
    file_size: int = 32 << 20      #: largest file the kernel may write (RLIMIT_FSIZE)
    disk: int = 64 << 20           #: size of its /tmp and of its working folder (tmpfs)

    @property
    def cpu(self) -> int:
        """CPU seconds of the whole kernel (RLIMIT_CPU): the notebook's budget."""
        return self.budget

    def env(self) -> dict[str, str]:
        """The kernel's ``ANN_COURSE_*`` variables (:data:`KERNEL_ENV`); 0 means no cap."""
        return {name: str(int(getattr(self, field) or 0)) for name, field, _ in KERNEL_ENV}


#: The limits of ``ann-course grade`` when no flag says otherwise.
DEFAULT_LIMITS = Limits()


def format_size(size: int) -> str:
    """``1 << 30`` -> ``"1G"``, ``512 << 20`` -> ``"512M"`` (what :func:`parse_size` reads back)."""
    for unit, shift in (("T", 40), ("G", 30), ("M", 20), ("K", 10)):
        if size and size % (1 << shift) == 0:
            return f"{size >> shift}{unit}"
    return str(size)


def parse_size(text: str | int) -> int:
    """``"1G"``, ``"512M"``, ``"2GiB"`` or a number of bytes -> bytes (0: no cap)."""
    t = str(text).strip().upper().removesuffix("IB").removesuffix("B")
    scale = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40}
    if t and t[-1] in scale:
        return int(float(t[:-1]) * scale[t[-1]])
    return int(float(t))
