"""What stands between a hostile submission and nbgrader.

* :func:`restore_cells` puts the released test and read-only cells back (deleted, edited or with
  their nbgrader metadata flipped) before nbgrader sees the notebook;
* :func:`shadowing_files` finds files that would shadow the grader's packages (the submission's
  own code is scanned for review by :mod:`autograder.scan`);
* :class:`GuardedExecute` is nbgrader's Execute preprocessor run on the grading kernel of
  :mod:`autograder.kernel` (memory cap, safe ``sys.path``; launched in a bubblewrap sandbox of its
  own, :mod:`autograder.sandbox`), which restores and flags tampering
  with the checkers' tools around every test cell, fails a test cell during which they were
  tampered with, and survives a kernel that dies;
* :class:`CapOutput` caps the size of what a cell printed (nbgrader's LimitOutput counts lines).
"""

from __future__ import annotations

import ast
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

import nbformat
from jupyter_client.kernelspec import KernelSpec
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbclient.util import ensure_async, run_sync
from nbformat.notebooknode import NotebookNode
from nbgrader import utils
from nbgrader.preprocessors import Execute, NbGraderPreprocessor
from traitlets import Bool, Integer, Unicode

from autograder import notebooks

#: Packages a student's files must not shadow in the grading kernel.
SHADOWED = ("ann_lib", "autograder", "numpy", "nbgrader", "IPython", "ipykernel", "matplotlib",
            "ipywidgets", "scipy", "builtins", "sys", "os", "traitlets")


def _locked(cell):
    meta = notebooks.nbgrader_meta(cell)
    return bool(meta.get("locked") or meta.get("grade")) and not meta.get("solution")


def restore_cells(nb, release):
    """Restore the release's locked cells (test cells, imports) in a submitted notebook.

    Cells are matched by nbgrader grade_id, else by cell id. Answer cells keep the student's
    source with the release's metadata; cells the release does not know lose any nbgrader
    metadata; locked cells that were deleted are put back after the cell that precedes them in
    the release. Returns ``(notebook, [what was restored])``; the notebook is unchanged when
    nothing needed restoring.
    """
    by_gid, by_id = {}, {}
    for cell in release.cells:
        gid = notebooks.nbgrader_meta(cell).get("grade_id")
        if gid:
            by_gid[gid] = cell
        if cell.get("id"):
            by_id[cell["id"]] = cell
    notes, out, seen = [], [], set()
    for cell in nb.cells:
        gid = notebooks.nbgrader_meta(cell).get("grade_id")
        ref = by_gid.get(gid) if gid else None
        if ref is None and cell.get("id") in by_id and (
                gid or notebooks.nbgrader_meta(by_id[cell["id"]])):
            ref = by_id[cell["id"]]
        if ref is None or id(ref) in seen:
            if notebooks.nbgrader_meta(cell):
                notes.append(f"nbgrader metadata removed from an unknown cell {cell.get('id', '?')}")
                cell = nbformat.from_dict(cell)
                cell.metadata.pop("nbgrader", None)
            out.append(cell)
            continue
        seen.add(id(ref))
        ref_gid = notebooks.nbgrader_meta(ref).get("grade_id", ref.get("id"))
        if _locked(ref):
            if cell.get("source") != ref.source or notebooks.nbgrader_meta(cell) != \
                    notebooks.nbgrader_meta(ref) or cell.cell_type != ref.cell_type:
                notes.append(f"cell {ref_gid} restored")
            new = nbformat.from_dict(ref)
            new["id"] = ref.get("id", cell.get("id"))
            out.append(new)
        else:
            new = nbformat.from_dict(cell)
            if notebooks.nbgrader_meta(cell) != notebooks.nbgrader_meta(ref):
                notes.append(f"metadata of {ref_gid} restored")
                new.metadata["nbgrader"] = json.loads(json.dumps(notebooks.nbgrader_meta(ref)))
            if ref.cell_type != new.cell_type:
                new = nbformat.from_dict(ref) if ref.cell_type == "markdown" else new
            out.append(new)
    # put back the locked cells that are missing, after their predecessor in the release
    for i, ref in enumerate(release.cells):
        if id(ref) in seen or not (_locked(ref) or notebooks.nbgrader_meta(ref).get("solution")):
            continue
        ref_gid = notebooks.nbgrader_meta(ref).get("grade_id", ref.get("id"))
        notes.append(f"deleted cell {ref_gid} put back")
        pos = 0
        for prev in reversed(release.cells[:i]):
            ids = [k for k, c in enumerate(out) if c.get("id") == prev.get("id")]
            if ids:
                pos = ids[0] + 1
                break
        out.insert(pos, nbformat.from_dict(ref))
        seen.add(id(ref))
    if not notes:
        return nb, []
    new_nb = nbformat.from_dict(nb)
    new_nb.cells = out
    ids = set()
    for cell in new_nb.cells:  # ids must stay unique after the insertions
        if cell.get("id") in ids:
            cell["id"] = f"{cell['id']}-x{len(ids)}"
        ids.add(cell.get("id"))
    return new_nb, notes


def shadowing_files(folder):
    """Files or folders beside the notebook that would shadow a package the grader imports."""
    found = []
    for item in Path(folder).iterdir():
        stem = item.name.removesuffix(".py") if item.is_file() else item.name
        if stem in SHADOWED and (item.is_dir() or item.suffix in (".py", ".pyc", ".so", ".pth")):
            found.append(item.name)
    return sorted(found)


def kernel_spec(memory, sandboxed=False):
    """The grading kernel: safe sys.path, memory cap, one BLAS thread.

    In a sandbox, interrupts go as messages (a signal would reach bubblewrap, not the kernel).
    """
    env = {"ANN_COURSE_MEMORY": str(int(memory or 0)), "PYTHONSAFEPATH": "1",
           "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
           "MPLBACKEND": "Agg"}
    return KernelSpec(argv=[sys.executable, "-P", "-m", "autograder.kernel", "-f",
                            "{connection_file}"],
                      display_name="ann-course grader", language="python", env=env,
                      interrupt_mode="message" if sandboxed else "signal",
                      resource_dir=str(Path(__file__).parent))


def use_ipc(km):
    """Talk to ``km``'s kernel over Unix sockets in a private folder (returned), not TCP ports.

    Kernels started at the same time over TCP race for free ports ("Address already in use");
    IPC sockets are named after the kernel's own connection file, so they cannot collide.
    """
    folder = tempfile.mkdtemp(prefix="annk-")  # short: a Unix socket path is at most 107 bytes
    km.transport = "ipc"
    km.connection_file = os.path.join(folder, "kernel.json")
    km.ip = os.path.join(folder, "k")
    return folder


class IpcExecute(Execute):
    """nbgrader's Execute, on a kernel reached over IPC (see :func:`use_ipc`)."""

    def create_kernel_manager(self):
        km = super().create_kernel_manager()
        self._ipc_dir = use_ipc(km)
        return km

    def preprocess(self, nb, resources=None, km=None):
        self._ipc_dir = None
        try:
            return super().preprocess(nb, resources, km)
        finally:
            if self._ipc_dir:
                shutil.rmtree(self._ipc_dir, ignore_errors=True)


def _error(ename, evalue):
    return NotebookNode(output_type="error", ename=ename, evalue=evalue,
                        traceback=[f"{ename}: {evalue}"])


class GuardedExecute(IpcExecute):
    """nbgrader's Execute on the grading kernel, with the guard around every test cell."""

    memory = Integer(1 << 30, help="address-space cap of the kernel in bytes (0: none)").tag(
        config=True)
    lesson_module = Unicode("", help="the checks module to protect").tag(config=True)
    report_path = Unicode("", help="folder where to write what happened (<notebook>.json)").tag(config=True)

    sandbox = Bool(True, help="run the kernel in a bubblewrap sandbox of its own "
                   "(autograder.sandbox)").tag(config=True)
    cpu = Integer(600, help="CPU seconds of the whole kernel (in the sandbox)").tag(config=True)

    def create_kernel_manager(self):
        from autograder import sandbox

        km = super().create_kernel_manager()  # reached over IPC
        km._kernel_spec = kernel_spec(self.memory, self.sandbox)
        if self.sandbox:
            km.provisioner = sandbox.provisioner(km, sandbox.Limits(memory=self.memory,
                                                                    cpu=self.cpu))
        return km

    def preprocess(self, nb, resources=None, km=None):
        self._events = {"tamper": [], "dead": None, "timeouts": [], "memory": []}
        self._dead = None
        try:
            return super().preprocess(nb, resources, km)
        finally:
            if self.report_path:
                key = (resources or {}).get("unique_key", "notebook")
                Path(self.report_path, f"{key}.json").write_text(json.dumps(self._events))

    async def _guard(self, code):
        """Run guard code silently in the kernel; return the string it evaluates to."""
        msg_id = await ensure_async(self.kc.execute("", silent=True, store_history=False,
                                                    user_expressions={"r": code}))
        reply = await self.async_wait_for_reply(msg_id)
        if reply is None:
            return "the grader's guard did not answer"
        r = reply["content"].get("user_expressions", {}).get("r", {})
        if r.get("status") != "ok":
            return f"the grader's guard failed: {r.get('ename')}: {r.get('evalue')}"
        text = r.get("data", {}).get("text/plain", "''")
        try:
            return ast.literal_eval(text)
        except (ValueError, SyntaxError):
            return text

    async def async_execute_cell(self, cell, cell_index, execution_count=None, store_history=True):
        if cell.cell_type != "code" or not cell.source.strip():
            return await super().async_execute_cell(cell, cell_index, execution_count,
                                                    store_history)
        if self._dead is not None:
            cell.outputs = []
            if utils.is_grade(cell) and not utils.is_solution(cell):
                cell.outputs = [_error("DeadKernelError",
                                       f"the kernel died earlier, in cell {self._dead}")]
            return cell
        k = "__import__('autograder.kernel').kernel"
        test = utils.is_grade(cell) and not utils.is_solution(cell)
        trusted = utils.is_locked(cell) and not test and not utils.is_solution(cell)
        label = notebooks.nbgrader_meta(cell).get("grade_id", cell.get("id", cell_index))
        try:
            if not getattr(self, "_snapshot_done", False):
                self._snapshot_done = True
                problem = await self._guard(f"{k}.snapshot(get_ipython(), {self.lesson_module!r})")
                if problem:
                    self._events["tamper"].append(problem)
            if trusted:
                await self._guard(f"{k}.trust_before(get_ipython())")
            if test:
                problem = await self._guard(f"{k}.verify(get_ipython())")
                if problem:
                    self._events["tamper"].append(f"before {label}: {problem}")
            cell = await super().async_execute_cell(cell, cell_index, execution_count,
                                                    store_history)
            if trusted:
                await self._guard(f"{k}.trust_after(get_ipython())")
            if test:
                problem = await self._guard(f"{k}.verify(get_ipython())")
                if problem:
                    self._events["tamper"].append(f"during {label}: {problem}")
                    cell.outputs.append(_error(
                        "GraderIntegrityError",
                        f"the checkers' tools were changed while this test ran ({problem})"))
        except DeadKernelError:
            self._dead = label
            self._events["dead"] = label
            cell.outputs = list(cell.get("outputs", [])) + [
                _error("DeadKernelError", f"the kernel died while running cell {label}")]
        except CellTimeoutError as exc:  # no reply and no output: the kernel is wedged
            self._dead = label
            self._events["dead"] = label
            self._events["unresponsive"] = label
            cell.outputs = list(cell.get("outputs", [])) + [
                _error("DeadKernelError", f"the kernel stopped responding in cell {label} "
                                          f"({str(exc).splitlines()[0][:120]})")]
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                if output.get("ename") == "CellTimeoutError":
                    self._events["timeouts"].append(label)
                elif output.get("ename") == "MemoryError":
                    self._events["memory"].append(label)
        return cell

    execute_cell = run_sync(async_execute_cell)


class CapOutput(NbGraderPreprocessor):
    """Cap each output's text at ``max_chars`` characters (LimitOutput only counts lines)."""

    max_chars = Integer(20000).tag(config=True)

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type != "code":
            return cell, resources
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream":
                text = output.get("text", "")
                if len(text) > self.max_chars:
                    output["text"] = (text[: self.max_chars]
                                      + f"\n... [{len(text) - self.max_chars} characters cut]\n")
            for key, value in list(output.get("data", {}).items()):
                if isinstance(value, str) and len(value) > self.max_chars and key.startswith("text"):
                    output["data"][key] = value[: self.max_chars] + "\n... [cut]"
        return cell, resources


def configure_grading(c, timeout, memory, lesson_module="", report_path="", sandbox=True,
                      cpu=600):
    """Switch an nbgrader Config to the guarded execution (in place), sandboxed unless not."""
    from nbconvert.preprocessors import ClearMetadataPreprocessor
    from nbgrader.preprocessors import (
        AssignLatePenalties,
        CheckCellMetadata,
        IgnorePattern,
        LimitOutput,
        SaveAutoGrades,
    )

    c.Autograde.autograde_preprocessors = [GuardedExecute, IgnorePattern, ClearMetadataPreprocessor,
                                           LimitOutput, CapOutput, SaveAutoGrades,
                                           AssignLatePenalties, CheckCellMetadata]
    c.Execute.timeout = int(timeout)
    c.GuardedExecute.timeout = int(timeout)
    c.GuardedExecute.memory = int(memory)
    c.GuardedExecute.lesson_module = lesson_module
    c.GuardedExecute.report_path = report_path
    c.GuardedExecute.sandbox = bool(sandbox)
    c.GuardedExecute.cpu = int(cpu)
    c.GuardedExecute.shutdown_kernel = "immediate"  # the kernel is thrown away: no need to wait
    os.environ.setdefault("MPLBACKEND", "Agg")
    return c
