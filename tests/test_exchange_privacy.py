"""Exchange privacy with real Unix users: set up as the README says (*Running the course on
JupyterHub*, step 2), one student can neither list nor read another's submission or feedback,
nor reach them through the other's home, nor move the course's exchange folder; a submission she
makes in a classmate's name is not collected (autograder/exchange_collect.py).

As root (run under ``flock /tmp/ann-unix-users.lock``): two students (real Unix users) fetch and
submit lesson 01 with nbgrader's own commands; the instructor (root) collects and releases a
feedback page for each; the second student then tries everything from her own account.
Without root it is skipped, except under CI, where it fails.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from autograder import notebooks
from autograder.settings import REPO
from tests.unix_users import add_user, remove_user, require_root, run, shared_folder, users_venv

L, NB = "01_neuron", "01_neuron.ipynb"
ALICE, MALLORY = "ann_pa", "ann_pm"
BIN = Path(sys.executable).parent

#: What Mallory tries, from her own account (prints one JSON object).
ATTACK = r"""
import glob, json, os, sys
from datetime import datetime, timedelta, timezone
exchange, alice_home = sys.argv[1], sys.argv[2]
course = os.path.join(exchange, "ann-course")
out = {}
def attempt(name, f):
    try:
        out[name] = ["ok", f()]
    except OSError as exc:
        out[name] = [type(exc).__name__, str(exc)]
attempt("list inbound", lambda: os.listdir(os.path.join(course, "inbound")))
attempt("glob alice's submissions", lambda: glob.glob(os.path.join(course, "inbound", "ann_pa+*")))
attempt("list feedback", lambda: os.listdir(os.path.join(course, "feedback")))
attempt("list alice's home", lambda: os.listdir(alice_home))
attempt("read alice's secrets", lambda: [open(p).read() for p in glob.glob(os.path.join(
    alice_home, ".local/share/jupyter/nbgrader_cache/ann-course/*/submission_secret.txt"))])
attempt("read alice's notebook", lambda: open(os.path.join(alice_home, "01_neuron",
                                                           "01_neuron.ipynb")).read()[:20])
attempt("move the course folder", lambda: os.rename(course, os.path.join(exchange, "moved")))
stamp = (datetime.now(timezone.utc) + timedelta(hours=1)).strftime("%Y-%m-%d %H:%M:%S.%f UTC")
forged = os.path.join(course, "inbound", "ann_pa+01_neuron+" + stamp + "+forged")
def forge():
    os.mkdir(forged)
    with open(os.path.join(forged, "01_neuron.ipynb"), "w") as f:
        f.write(open(os.path.expanduser("~/01_neuron/01_neuron.ipynb")).read())
    with open(os.path.join(forged, "timestamp.txt"), "w") as f:
        f.write(stamp)
attempt("submit in alice's name", forge)
print(json.dumps(out))
"""


def _marked(path, who):
    nb = notebooks.read(path)
    nb.cells[0].source += f"\n\n<!-- the work of {who} -->"
    notebooks.write(nb, path)


@pytest.fixture(scope="module")
def exchange():
    """The README's set-up: an exchange, the course's folder in it, private homes."""
    require_root()
    base = shared_folder("ann-exchange-")
    try:
        exchange = base / "exchange"
        # README step 2: sudo mkdir -p EXCHANGE && sudo chmod 1777 EXCHANGE, then the course's
        # folder made by (and owned by) the instructor, here root
        exchange.mkdir()
        exchange.chmod(0o1777)
        (exchange / "ann-course").mkdir(mode=0o755)
        (base / "home").mkdir(mode=0o755)
        for user in (ALICE, MALLORY):
            add_user(user, home=base / "home" / user)
            (base / "home" / user).chmod(0o700)  # README: every home folder private
            conf = base / "home" / user / ".jupyter" / "nbgrader_config.py"
            conf.parent.mkdir()
            conf.write_text(f'c = get_config()\nc.CourseDirectory.course_id = "ann-course"\n'
                            f'c.Exchange.root = "{exchange}"\n')
            run(["chown", "-R", f"{user}:{user}", str(conf.parent)])
        course = base / "instructor"
        course.mkdir(mode=0o700)
        shutil.copy(REPO / "nbgrader_config.py", course)
        with (course / "nbgrader_config.py").open("a") as f:
            f.write(f'\nc.Exchange.root = "{exchange}"\n')
        shutil.copytree(REPO / "course" / L, course / "course" / L)
        python, jupyter_env, _ = users_venv(base / "venv", ALICE)
        env = {"PATH": f"{python.parent}:/usr/bin:/bin", "LANG": "C.UTF-8", **jupyter_env}
        yield {"base": base, "exchange": exchange, "course": course, "python": python, "env": env}
    finally:
        for user in (ALICE, MALLORY):
            remove_user(user)
        shutil.rmtree(base, ignore_errors=True)


def _instructor(setup, *args):
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    return run([str(BIN / "nbgrader"), *args], cwd=setup["course"], env=env)


def _student(setup, user, *args, check=True):
    home = setup["base"] / "home" / user
    return run([str(setup["python"]), *args], user=user, cwd=home, env=setup["env"], check=check)


def test_a_student_can_neither_list_nor_read_nor_replace_a_classmates_work(exchange):
    setup = exchange
    _instructor(setup, "release_assignment", L)
    for user in (ALICE, MALLORY):
        _student(setup, user, "-m", "nbgrader", "fetch_assignment", L)
        _marked(setup["base"] / "home" / user / L / NB, user)
        _student(setup, user, "-m", "nbgrader", "submit", L)
    _instructor(setup, "collect", L)
    for user in (ALICE, MALLORY):  # a feedback page each, released as the README says
        submitted = setup["course"] / "submitted" / user / L
        feedback = setup["course"] / "feedback" / user / L
        feedback.mkdir(parents=True)
        for name in ("timestamp.txt", "submission_secret.txt"):
            shutil.copy(submitted / name, feedback / name)
        (feedback / "01_neuron.html").write_text(f"<p>feedback for {user} only</p>")
    _instructor(setup, "release_feedback", L)
    _student(setup, ALICE, "-m", "nbgrader", "fetch_feedback", L)
    fetched = list((setup["base"] / "home" / ALICE / L / "feedback").rglob("*.html"))
    assert [p.read_text() for p in fetched] == [f"<p>feedback for {ALICE} only</p>"]

    attack = _student(setup, MALLORY, "-c", ATTACK, str(setup["exchange"]),
                      str(setup["base"] / "home" / ALICE))
    tried = json.loads(attack.stdout)
    for name in ("list inbound", "list feedback", "list alice's home", "read alice's notebook",
                 "move the course folder"):
        assert tried[name][0] == "PermissionError", (name, tried[name])
    assert tried["glob alice's submissions"] == ["ok", []]
    assert tried["read alice's secrets"] == ["ok", []]
    listed = _student(setup, MALLORY, "-m", "nbgrader", "list", "--inbound", check=False)
    assert ALICE not in listed.stdout + listed.stderr

    # the submission made in Alice's name (inbound/ is writable by design) is never collected
    assert tried["submit in alice's name"][0] == "ok"
    collected = _instructor(setup, "collect", "--update", L)
    assert "claims to be ann_pa's submission" in collected.stdout + collected.stderr
    kept = (setup["course"] / "submitted" / ALICE / L / NB).read_text()
    assert f"the work of {ALICE}" in kept and f"the work of {MALLORY}" not in kept


def test_the_owner_check_spares_ids_that_are_not_unix_users(tmp_path):
    from autograder.grading.exchange_collect import _forged

    entry = tmp_path / "nobody_here+01_neuron+2026-12-01 10:00:00.000000 UTC+x"
    entry.mkdir()
    assert not _forged(entry, "no-such-unix-user-ann")
    assert _forged(entry, "nobody") is (os.lstat(entry).st_uid != 65534)
    assert subprocess.run(["id", "nobody"], capture_output=True).returncode == 0
