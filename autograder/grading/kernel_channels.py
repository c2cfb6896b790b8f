"""Waiting on a kernel's replies in short slices, so that a reply is never seen late.

jupyter_client's asynchronous channels wait for a message with ``zmq.asyncio``'s poll, which
wakes on the socket's edge-triggered ``ZMQ_FD``. Now and then (more often where many messages
cross, as with a widget's comm messages) that edge is consumed before the poll sees it, and the
poll sleeps on although the reply is there: it returns it only when its timeout ends, when it
looks at the socket once more. nbclient waits for a cell's reply with the cell's whole timeout
(``Execute.timeout``), so such a cell took its whole timeout and a notebook could run past its
budget, scored 0 ("timeout") although every cell had finished in a second
(jupyter/nbclient#312).

:class:`SlicedChannel` waits in slices of :data:`SLICE` seconds: at the end of each, the poll
looks at the socket, so a reply is seen at most :data:`SLICE` seconds late, and a timeout still
ends when it is due. :func:`prompt_client` gives a kernel manager's clients such channels (the
grader's and ``ann-course check``'s kernels, :mod:`autograder.grading.kernel_launch`);
:class:`PromptNotebookClient` is nbclient's NotebookClient with them.
"""

from __future__ import annotations

import time
from queue import Empty
from typing import Any

from jupyter_client.asynchronous.client import AsyncKernelClient
from jupyter_client.channels import AsyncZMQSocketChannel
from nbclient import NotebookClient
from traitlets import Type

#: The longest a message that has arrived may wait unseen, in seconds.
SLICE = 0.5


class SlicedChannel(AsyncZMQSocketChannel):
    """An asynchronous kernel channel whose ``get_msg`` waits in slices of :data:`SLICE` s."""

    async def get_msg(self, timeout: float | None = None) -> dict[str, Any]:  # type: ignore[override]
        """The next message; :class:`queue.Empty` when none came within ``timeout`` seconds
        (``None``: wait as long as it takes)."""
        if timeout is not None and timeout <= SLICE:
            return await super().get_msg(timeout=timeout)
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            left = SLICE if deadline is None else deadline - time.monotonic()
            try:
                return await super().get_msg(timeout=max(0.0, min(SLICE, left)))
            except Empty:
                if deadline is not None and left <= SLICE:
                    raise


def prompt_client(km: Any) -> None:
    """Have ``km``'s asynchronous clients wait on :class:`SlicedChannel` channels (a blocking
    client is left as it is)."""
    base = km.client_factory
    if not issubclass(base, AsyncKernelClient):
        return

    class PromptClient(base):  # type: ignore[misc, valid-type]
        shell_channel_class = Type(SlicedChannel)
        iopub_channel_class = Type(SlicedChannel)
        stdin_channel_class = Type(SlicedChannel)
        control_channel_class = Type(SlicedChannel)

    km.client_factory = PromptClient


class PromptNotebookClient(NotebookClient):
    """nbclient's NotebookClient whose kernel client waits on :class:`SlicedChannel` channels."""

    def create_kernel_manager(self) -> Any:
        km = super().create_kernel_manager()
        prompt_client(km)
        return km
