"""Folders for Unix sockets (:mod:`autograder.sandbox.socket_paths`) fit a socket's 107 bytes."""

from __future__ import annotations

import os
import socket
import subprocess
import sys

import pytest

from autograder.sandbox import socket_paths


@pytest.fixture
def deep(tmp_path, monkeypatch):
    folder = tmp_path / ("d" * 90)
    folder.mkdir()
    monkeypatch.setattr("tempfile.tempdir", str(folder))
    return folder


def test_a_socket_folder_is_made_in_the_temporary_folder_when_there_is_room(tmp_path, monkeypatch):
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    made = socket_paths.folder("z-", 20)
    assert os.path.dirname(made) == str(tmp_path)
    assert os.path.basename(made).startswith("z-")
    assert os.stat(made).st_mode & 0o777 == 0o700


def test_under_a_deep_temporary_folder_the_socket_folder_is_short_and_a_socket_binds_in_it(deep):
    made = socket_paths.folder("z-", 20)
    try:
        assert not made.startswith(str(deep))
        assert os.path.basename(made).startswith(f"ann-s{os.getpid()}-z-")
        path = os.path.join(made, "x" * (socket_paths.SOCKET_PATH_MAX - len(made) - 1))
        assert len(path) == 107
        with socket.socket(socket.AF_UNIX) as s:
            s.bind(path)  # the longest path there is room for: it binds
        with socket.socket(socket.AF_UNIX) as s, pytest.raises(OSError):
            s.bind(path + "x")  # one byte more: the kernel's "File name too long"
    finally:
        os.remove(path)
        os.rmdir(made)


def test_a_dead_processs_socket_folder_is_swept_and_a_living_ones_kept(deep):
    child = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                           capture_output=True, text=True, check=True)
    dead = os.path.join(socket_paths.SHORT_ROOT,
                        f"{socket_paths.PREFIX}{child.stdout.strip()}-z-gone")
    os.mkdir(dead)
    mine = socket_paths.folder("z-", 20)
    try:
        socket_paths.sweep()
        assert not os.path.exists(dead)
        assert os.path.isdir(mine)
    finally:
        os.rmdir(mine)


def test_with_no_room_anywhere_the_error_says_which_folder_is_too_deep(deep, monkeypatch):
    monkeypatch.setattr(socket_paths, "SHORT_ROOT", str(deep))
    with pytest.raises(OSError, match="too deep for a Unix socket path.*set TMPDIR"):
        socket_paths.folder("z-", 20)
