"""Review hints for the class report: near-identical answers, and answers that copy ``ann_lib``.

Each answer cell (nbgrader ``solution`` cell, found by its ``grade_id``) of every submitted notebook
``SUBMITTED/<student>/<assignment>/<notebook>.ipynb`` is *normalised* with :mod:`tokenize`:
comments, docstrings, blank lines and layout are dropped, every string becomes ``S``, every
identifier becomes a placeholder numbered by first appearance (``v0``, ``v1``, ...; attribute
names after a ``.``, keywords and builtins are kept). Renaming variables or reformatting code
therefore changes nothing. The token stream is fingerprinted by winnowing (Schleimer, Wilkerson &
Aiken 2003, as in MOSS) with `copydetect <https://github.com/blingenf/copydetect>`_'s
implementation: the hashes of all ``K``-token runs, of which each window of ``WINDOW`` keeps its
smallest. Any common run of at least ``K + WINDOW - 1`` tokens is then seen. (copydetect's own
tokenizer is not used: it turns every name into the same ``V``, so ``a = b + a`` and
``x = y + z`` would match; its file-based detector wants files, not cells.)

* The release stub (the function's signature and docstring, ``raise NotImplementedError()``) is
  boilerplate: its fingerprints are removed from every answer, so answers that only keep the
  template, or differ only inside it, are never paired.
* Only answers with at least ``MIN_TOKENS`` tokens besides the stub are compared (one-line answers
  such as ``return X @ w + b`` are what everyone writes). Two students are paired when at least
  ``PAIR_COVERAGE`` of each answer's tokens outside the stub lie in runs the two share. Two
  students who both hand in the solution's exact code are a pair like any other.
* An answer *copies the reference* when at least ``REFERENCE_COVERAGE`` of its tokens, outside
  the stub and outside what the solution itself shares with ``ann_lib``, lie in runs shared with
  one function of ``ann_lib``.

These are hints for a human to review; they never change a score.
"""

from __future__ import annotations

import ast
import builtins
import functools
import io
import keyword
import tokenize
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path

from autograder import notebooks
from autograder.settings import REPO

#: Tokens per fingerprinted run (the noise threshold of winnowing).
K = 8
#: Runs per winnowing window: any shared run of K + WINDOW - 1 tokens is detected.
WINDOW = 4
#: An answer needs at least this many tokens between the stub's first and last lines to be compared
#: at all (``return np.where(np.asarray(z) >= 0, 1.0, 0.0)`` has 20).
MIN_TOKENS = 25
#: Share of both answers' tokens in shared runs for a pair.
PAIR_COVERAGE = 0.8
#: Share of an answer's tokens in runs shared with one ann_lib function.
REFERENCE_COVERAGE = 0.7

_KEEP = frozenset(keyword.kwlist) | frozenset(dir(builtins))
_SKIP = {tokenize.COMMENT, tokenize.NL, tokenize.ENCODING, tokenize.ENDMARKER}


def normalise(source: str) -> list[str]:
    """The tokens of ``source`` with names, strings, comments, docstrings and layout normalised.

    Parameters
    ----------
    source : str
        Python code (an answer cell). Code that does not tokenize to the end (a syntax error)
        keeps the tokens read before the error.

    Returns
    -------
    list of str
        One string per token: keywords, builtins, operators, numbers and attribute names as
        written; other identifiers as ``v<i>`` by first appearance; strings as ``S``;
        ``NEWLINE``, ``INDENT`` and ``DEDENT`` as ``;``, ``{`` and ``}``. A string that is a
        statement of its own (a docstring) is dropped.
    """
    names: dict[str, str] = {}
    out: list[str] = []
    line_start, skip_newline = True, False
    previous = None
    try:
        tokens = list(_tokens(source))
    except (tokenize.TokenError, IndentationError, SyntaxError):
        tokens = _tokens_until_error(source)
    for i, tok in enumerate(tokens):
        kind, text = tok.type, tok.string
        if kind in _SKIP:
            continue
        if kind == tokenize.STRING and line_start and _ends_statement(tokens, i):
            skip_newline = True  # a docstring or a bare string statement: dropped with its end
            continue
        if kind == tokenize.NEWLINE:
            if out and out[-1] != ";" and not skip_newline:
                out.append(";")
            skip_newline = False
        elif kind == tokenize.INDENT:
            out.append("{")
        elif kind == tokenize.DEDENT:
            out.append("}")
        elif kind == tokenize.NAME:
            if text in _KEEP or previous == ".":
                out.append(text)
            else:
                out.append(names.setdefault(text, f"v{len(names)}"))
        elif kind == tokenize.STRING or kind in _FSTRING:
            if not out or out[-1] != "S":
                out.append("S")
        else:
            out.append(text)
        previous = text
        line_start = kind in (tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT)
    return out


_FSTRING = {getattr(tokenize, n) for n in ("FSTRING_START", "FSTRING_MIDDLE", "FSTRING_END")
            if hasattr(tokenize, n)}


def _tokens(source):
    return tokenize.generate_tokens(io.StringIO(source).readline)


def _tokens_until_error(source):
    got = []
    try:
        for tok in _tokens(source):
            got.append(tok)
    except (tokenize.TokenError, IndentationError, SyntaxError):
        pass
    return got


def _ends_statement(tokens, i):
    """Whether the string token ``tokens[i]`` is followed by the end of its statement."""
    for tok in tokens[i + 1:]:
        if tok.type in (tokenize.COMMENT, tokenize.NL):
            continue
        return tok.type in (tokenize.NEWLINE, tokenize.ENDMARKER)
    return True


#: One character per distinct token (for the whole process, so fingerprints can be cached).
_ALPHABET: dict[str, str] = {}


class Fingerprinter:
    """Winnowed fingerprints of token streams."""

    @staticmethod
    def _text(tokens):
        # one character per token, so that copydetect's character k-grams are token k-grams
        return "".join(_ALPHABET.setdefault(t, chr(0x4E00 + len(_ALPHABET))) for t in tokens)

    def __call__(self, tokens, boilerplate=()):
        """``(hashes, {hash: [token index, ...]}, covered tokens)`` without ``boilerplate``."""
        from copydetect.utils import get_document_fingerprints, get_token_coverage

        if len(tokens) < K + WINDOW - 1:
            return set(), {}, 0
        # boilerplate is removed here, not by copydetect (its removal assumes unique hashes)
        _, index = get_document_fingerprints(self._text(tokens), K, WINDOW)
        index = {h: i for h, i in index.items() if h not in boilerplate}
        return set(index), index, int(get_token_coverage(index, K, len(tokens)))

    @staticmethod
    def coverage(index, shared, n_tokens):
        """How many tokens lie in runs whose hash is in ``shared``."""
        from copydetect.utils import get_token_coverage

        return int(get_token_coverage({h: index[h] for h in shared}, K, n_tokens))


@dataclass
class Answer:
    student: str
    assignment: str
    notebook: str
    exercise: str
    source: str
    tokens: list = field(repr=False, default_factory=list)
    hashes: set = field(repr=False, default_factory=set)
    index: dict = field(repr=False, default_factory=dict)
    covered: int = 0


@dataclass
class Pair:
    """Two students' near-identical answers to one exercise."""
    assignment: str
    exercise: str
    a: Answer
    b: Answer
    coverage: float  # the smaller of the two answers' shares of tokens in shared runs


@dataclass
class ReferenceCopy:
    """An answer most of which is the source of one ``ann_lib`` function."""
    answer: Answer
    function: str  # "ann_lib.module.name"
    reference: str  # that function's source
    coverage: float


@dataclass
class Findings:
    pairs: list
    copies: list
    compared: set  # {(student, assignment, exercise)} of the answers long enough to compare


def _stub(solution_source):
    """The release's answer cell: the solution cell without its solution regions."""
    keep, inside = [], False
    for line in solution_source.splitlines():
        if line.strip() == notebooks.BEGIN_SOLUTION:
            inside = True
            keep.append(line[:len(line) - len(line.lstrip())] + "raise NotImplementedError()")
        elif line.strip() == notebooks.END_SOLUTION:
            inside = False
        elif not inside:
            keep.append(line)
    return "\n".join(keep)


def body_length(tokens, stub):
    """How many of ``tokens`` are not the stub's: without their common prefix and suffix."""
    n = min(len(tokens), len(stub))
    head = next((i for i in range(n) if tokens[i] != stub[i]), n)
    tail = next((i for i in range(n - head) if tokens[-1 - i] != stub[-1 - i]), n - head)
    return len(tokens) - head - tail


def reference_functions(package=REPO / "ann_lib"):
    """``{"ann_lib.module.name": source}`` of every function and method in ``package``."""
    found = {}
    for path in sorted(Path(package).rglob("*.py")):
        text = path.read_text()
        module = ".".join(path.relative_to(Path(package).parent).with_suffix("").parts)
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                found[f"{module}.{node.name}"] = ast.get_source_segment(text, node)
    return found


@functools.lru_cache(maxsize=4)
def _reference(package):
    """``({name: source}, {name: fingerprints})`` of ``ann_lib``'s functions, once per process."""
    source = reference_functions(package)
    return source, {name: Fingerprinter()(normalise(text)) for name, text in source.items()}


def _answer_cells(path):
    try:
        nb = notebooks.read(path)
    except Exception:  # noqa: BLE001 - an unreadable notebook is reported by grading, not here
        return {}
    return {notebooks.nbgrader_meta(c).get("grade_id"): c.source for c in nb.cells
            if notebooks.is_answer(c)}


def find(submitted, root=REPO):
    """Near-identical answers and copies of ``ann_lib`` in a class's submitted notebooks.

    Parameters
    ----------
    submitted : path
        ``SUBMITTED/<student>/<assignment>/<notebook>.ipynb``, as graded.
    root : path
        The course: its ``solutions/`` (stubs and solution baseline) and ``ann_lib/``.

    Returns
    -------
    Findings
        ``pairs`` (highest coverage first) and ``copies``, each ordered for the report.
    """
    submitted, root = Path(submitted), Path(root)
    fp = Fingerprinter()
    ref_source, reference = _reference(str(root / "ann_lib"))
    pairs, copies, compared = [], [], set()
    for solution in sorted((root / "solutions").glob("*/*.ipynb")):
        assignment, name = solution.parent.name, solution.name
        for exercise, sol_source in _answer_cells(solution).items():
            stub_tokens = normalise(_stub(sol_source))
            stub = fp(stub_tokens)[0]
            sol_hashes = fp(normalise(notebooks.student_answer(sol_source)), stub)[0]
            baseline = stub | {h for r in reference.values() for h in r[0] & sol_hashes}
            answers = []
            for path in sorted(submitted.glob(f"*/{assignment}/{name}")):
                source = _answer_cells(path).get(exercise)
                if source is None:
                    continue
                a = Answer(path.parent.parent.name, assignment, name, exercise, source,
                           normalise(source))
                a.hashes, a.index, a.covered = fp(a.tokens, stub)
                if a.covered and body_length(a.tokens, stub_tokens) >= MIN_TOKENS:
                    answers.append(a)
            compared |= {(a.student, assignment, exercise) for a in answers}
            for a, b in combinations(answers, 2):
                shared = a.hashes & b.hashes
                if not shared:
                    continue
                cov = min(fp.coverage(a.index, shared, len(a.tokens)) / a.covered,
                          fp.coverage(b.index, shared, len(b.tokens)) / b.covered)
                if cov >= PAIR_COVERAGE:
                    pairs.append(Pair(assignment, exercise, a, b, cov))
            for a in answers:
                hashes, index, covered = fp(a.tokens, baseline)
                if not covered:
                    continue
                best = max(((fp.coverage(index, hashes & r[0], len(a.tokens)) / covered, fn)
                            for fn, r in reference.items()), default=(0.0, ""))
                if best[0] >= REFERENCE_COVERAGE:
                    copies.append(ReferenceCopy(a, best[1], ref_source[best[1]], best[0]))
    pairs.sort(key=lambda p: (p.assignment, p.exercise, -p.coverage, p.a.student, p.b.student))
    copies.sort(key=lambda c: (c.answer.assignment, c.answer.exercise, c.answer.student))
    return Findings(pairs, copies, compared)


def html_section(submitted, root=REPO):
    """The report's "Similar answers" section (a list of HTML strings)."""
    import html

    e = html.escape
    try:
        import copydetect  # noqa: F401
    except ImportError:
        return ["<h2>Similar answers</h2><p>Not computed: the copydetect package is missing "
                "(<code>pip install 'ann-course[grading]'</code>).</p>"]
    findings = find(submitted, root)
    side = ("<td><b>{}</b><pre>{}</pre></td>").format
    parts = ["<h2>Similar answers (review hints, no score change)</h2>",
             f"<p>{len(findings.compared)} answer(s) long enough to compare (at least {MIN_TOKENS} "
             "tokens besides the release stub), after renaming identifiers and dropping comments, "
             "docstrings and layout.</p>", "<h3>Near-identical pairs</h3>"]
    if findings.pairs:
        parts.append("<table class='similar'><tr><th>assignment</th><th>exercise</th>"
                     "<th>shared</th><th>first student</th><th>second student</th></tr>")
        for p in findings.pairs:
            parts.append(f"<tr><td>{e(p.assignment)}</td><td>{e(p.exercise)}</td>"
                         f"<td>{p.coverage:.0%}</td>" + side(e(p.a.student), e(p.a.source))
                         + side(e(p.b.student), e(p.b.source)) + "</tr>")
        parts.append("</table>")
    else:
        parts.append("<p>None.</p>")
    parts.append("<h3>Answers that copy ann_lib (the reference implementation)</h3>")
    if findings.copies:
        parts.append("<table class='similar'><tr><th>assignment</th><th>exercise</th>"
                     "<th>shared</th><th>student's answer</th><th>ann_lib</th></tr>")
        for c in findings.copies:
            a = c.answer
            parts.append(f"<tr><td>{e(a.assignment)}</td><td>{e(a.exercise)}</td>"
                         f"<td>{c.coverage:.0%}</td>" + side(e(a.student), e(a.source))
                         + side(e(c.function), e(c.reference)) + "</tr>")
        parts.append("</table>")
    else:
        parts.append("<p>None.</p>")
    return parts
