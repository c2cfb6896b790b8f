"""One ``Limits`` record: what the kernel is told, what nbgrader is configured with, what the CLI
offers by default; all from the same record (no kernel started here)."""

import resource

from traitlets.config import Config

from autograder.cli import main
from autograder.grading.configuration import configure_grading
from autograder.grading.execution import GuardedExecute
from autograder.grading.kernel_launch import kernel_spec
from autograder.limits import DEFAULT_LIMITS, KERNEL_ENV, LIMITS_ENV, Limits, format_size, parse_size
from autograder.sandbox import provisioners

LIMITS = Limits(timeout=7, budget=90, memory=256 << 20, processes=12, file_size=1 << 20, disk=4 << 20)


def test_the_kernel_is_told_every_limit_it_sets_on_itself():
    assert LIMITS.env() == {"ANN_COURSE_MEMORY": str(256 << 20), "ANN_COURSE_NPROC": "12",
                            "ANN_COURSE_FSIZE": str(1 << 20), "ANN_COURSE_CPU": "90"}
    assert Limits(memory=0).env()["ANN_COURSE_MEMORY"] == "0"  # 0: no cap
    assert set(LIMITS_ENV) == set(LIMITS.env())
    for _, _, rlimit in KERNEL_ENV:  # names the kernel resolves in its own process
        assert isinstance(getattr(resource, rlimit), int)


def test_the_budget_is_also_the_kernels_cpu_seconds():
    assert LIMITS.cpu == 90 and Limits(budget=5).cpu == 5


def test_configure_grading_gives_the_executor_the_runs_limits():
    c = configure_grading(Config(), LIMITS, "autograder.lessons.neuron", "/nowhere", sandbox=False)
    execute = GuardedExecute(config=c)
    assert execute.limits == LIMITS and execute.timeout == 7 and c.Execute.timeout == 7
    assert execute.sandbox is False and execute.solutions_root == "/nowhere"
    assert execute.lesson_module == "autograder.lessons.neuron"
    assert GuardedExecute in c.Autograde.autograde_preprocessors


def test_the_kernel_spec_carries_the_memory_cap_and_starts_the_grading_kernel():
    spec = kernel_spec(LIMITS, sandboxed=True)
    assert spec.env["ANN_COURSE_MEMORY"] == str(256 << 20)
    assert spec.argv[spec.argv.index("-m") + 1] == provisioners.KERNEL_MODULE
    assert spec.interrupt_mode == "message" and kernel_spec(LIMITS).interrupt_mode == "signal"


def test_sizes_read_back_what_they_print():
    assert [parse_size(s) for s in ("1G", "512M", "2GiB", "64k", "0", "1000")] == [
        1 << 30, 512 << 20, 2 << 30, 64 << 10, 0, 1000]
    assert [format_size(n) for n in (1 << 30, 512 << 20, 3 << 10, 1000)] == ["1G", "512M", "3K", "1000"]


def test_the_grade_commands_defaults_are_the_default_limits(capsys):
    try:
        main(["grade", "--help"])
    except SystemExit:
        pass
    text = " ".join(capsys.readouterr().out.split())
    assert f"(default: {DEFAULT_LIMITS.timeout})" in text
    assert f"(default: {DEFAULT_LIMITS.budget})" in text
    assert f"(default: {format_size(DEFAULT_LIMITS.memory)})" in text
