"""A reply whose wake-up was lost is still seen at once (jupyter/nbclient#312): real ZeroMQ sockets,
real jupyter_client channels, a real kernel."""

import asyncio
import concurrent.futures
import shutil
import time
from queue import Empty

import nbformat
import pytest
import zmq
import zmq.asyncio
from jupyter_client.channels import AsyncZMQSocketChannel
from jupyter_client.session import Session

from autograder.grading.kernel_channels import SLICE, PromptNotebookClient, SlicedChannel
from autograder.grading.kernel_launch import IpcExecute


def _run(coroutine):
    """``asyncio.run`` in a thread of its own (this thread may already have a running loop)."""
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


#: Far longer than any slice: a channel that has not returned by then missed the message.
MISSED = 5.0


async def _receive_after_a_lost_wake_up(channel_class, folder, timeout, within):
    """Send one message to a channel already waiting, its socket's wake-up consumed before the
    event loop sees it; what the channel's get_msg returned ``within`` seconds (None: nothing)."""
    session = Session(key=b"")
    async_ctx, sync_ctx = zmq.asyncio.Context(), zmq.Context()
    receiver, sender = async_ctx.socket(zmq.PAIR), sync_ctx.socket(zmq.PAIR)
    address = f"ipc://{folder}/s"
    receiver.bind(address)
    sender.connect(address)
    try:
        channel = channel_class(receiver, session)
        waiting = asyncio.ensure_future(channel.get_msg(timeout=timeout))
        await asyncio.sleep(0.2)  # the channel is polling
        session.send(sender, "status", {"execution_state": "idle"})
        time.sleep(0.3)  # the message is in; the event loop has not run
        # what pyzmq's own wrapper guards against and a busy socket can still do: reading
        # ZMQ_EVENTS drains the edge-triggered ZMQ_FD without receiving the message
        assert zmq.Socket.shadow(receiver.underlying).get(zmq.EVENTS) & zmq.POLLIN
        try:
            return await asyncio.wait_for(waiting, within)
        except TimeoutError:
            return None
    finally:
        receiver.close(linger=0)
        sender.close(linger=0)
        async_ctx.term()
        sync_ctx.term()


def test_jupyter_clients_own_channel_misses_a_message_whose_wake_up_was_lost(tmp_path):
    # the failure mode this module guards against, shown on the channel nbclient uses
    got = _run(_receive_after_a_lost_wake_up(AsyncZMQSocketChannel, tmp_path, 60, MISSED))
    assert got is None


def test_the_sliced_channel_sees_a_message_whose_wake_up_was_lost(tmp_path):
    got = _run(_receive_after_a_lost_wake_up(SlicedChannel, tmp_path, 60, MISSED))
    assert got is not None and got["msg_type"] == "status", got
    assert got["content"] == {"execution_state": "idle"}


def test_the_sliced_channel_waits_without_a_timeout_past_many_slices(tmp_path):
    got = _run(_receive_after_a_lost_wake_up(SlicedChannel, tmp_path, None, MISSED))
    assert got is not None and got["msg_type"] == "status", got


async def _nothing_comes(timeout):
    ctx = zmq.asyncio.Context()
    socket = ctx.socket(zmq.PAIR)
    socket.bind("inproc://nothing")
    try:
        began = time.monotonic()
        with pytest.raises(Empty):
            await SlicedChannel(socket, Session(key=b"")).get_msg(timeout=timeout)
        return time.monotonic() - began
    finally:
        socket.close(linger=0)
        ctx.term()


@pytest.mark.parametrize("timeout", [0, SLICE / 2, 3 * SLICE + 0.1])
def test_a_timeout_still_ends_in_empty_when_it_is_due_not_before(timeout):
    waited = _run(_nothing_comes(timeout))
    assert waited >= timeout * 0.95, (timeout, waited)


def test_a_notebook_client_and_the_graders_kernels_wait_on_sliced_channels():
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("print(6 * 7)")])
    client = PromptNotebookClient(nb, timeout=60, kernel_name="python3")
    with client.setup_kernel():
        assert isinstance(client.kc.shell_channel, SlicedChannel)
        assert isinstance(client.kc.iopub_channel, SlicedChannel)
        client.execute_cell(nb.cells[0], 0)
    assert nb.cells[0].outputs[0]["text"] == "42\n"
    grader = IpcExecute(kernel_name="python3")
    grader.nb = nb
    try:
        km = grader.create_kernel_manager()
    finally:
        shutil.rmtree(grader._ipc_dir, ignore_errors=True)
    traits = km.client_factory.class_traits()
    for name in ("shell_channel_class", "iopub_channel_class", "control_channel_class"):
        assert issubclass(traits[name].default_value, SlicedChannel), (name, traits[name])
