"""The docs name the tests and benchmarks that prove their figures (docs/testing.md): each name
must lead somewhere. A renamed test or a moved benchmark fails here, not in a reader's hands.

A reference is `tests/….py` or `bench/….py`, optionally followed by `::name` (a test function
or class, `::Class::test` for a method). Within one table row or one paragraph, a bare
`::test_b` continues the file named last, as docs/testing.md writes
"`tests/test_engine.py::test_a`, `::test_b`".

A link from one doc to another (`[…](design.md#targets)`) must find its file and heading.

The design the project keeps to is docs/design.md, in the repository: nothing may point at
the shared copy it was written from, which a clone does not have.
"""

import ast
import re
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]

# A file under tests/ or bench/ with an optional ::chain, or a bare ::chain continuing the
# file named last. Not preceded by a word, a slash or a dot: "mytests/x.py" is no reference.
NAME = r"::[A-Za-z_]\w*"  # not "[::1]", an address
REFERENCE = re.compile(
    rf"(?<![\w/.])(?P<file>(?:tests|bench)/[\w/-]+\.py)(?P<chain>(?:{NAME})*)"
    rf"|(?<![\w/.:])(?P<bare>(?:{NAME})+)"
)


def blocks(text: str) -> list[str]:
    """Each table row on its own, the rest by paragraph: the span a bare `::name` reaches."""
    found, paragraph = [], []
    for line in text.splitlines():
        if line.lstrip().startswith("|"):
            found.append(line)
        elif line.strip():
            paragraph.append(line)
            continue
        if paragraph:
            found.append("\n".join(paragraph))
            paragraph = []
    if paragraph:
        found.append("\n".join(paragraph))
    return found


def references(text: str) -> list[tuple[str, tuple[str, ...]]]:
    """(file, names) for every reference in a document; names empty for a bare file.
    A bare `::name` with no file before it in its block comes back with the file ""."""
    found = []
    for block in blocks(text):
        last = ""
        for match in REFERENCE.finditer(block):
            if match["file"]:
                last = match["file"]
                chain = match["chain"]
            else:
                chain = match["bare"]
            found.append((last, tuple(name for name in chain.split("::") if name)))
    return found


@cache
def definitions(path: Path) -> dict[str, set[str]]:
    """Every function and class of a Python file, by the scope it is defined in ("" for the
    module, a class's name for its methods)."""
    scopes: dict[str, set[str]] = {"": set()}
    tree = ast.parse(path.read_text(), filename=str(path))
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            scopes[""].add(node.name)
        if isinstance(node, ast.ClassDef):
            scopes[node.name] = {
                item.name
                for item in node.body
                if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
            }
    return scopes


def broken(text: str, root: Path = ROOT) -> list[str]:
    """The references of a document that lead nowhere, in words; empty when all hold."""
    problems = []
    for file, names in references(text):
        where = f"{file}::{'::'.join(names)}" if names else file
        if not file:
            problems.append(f"::{'::'.join(names)} names no file before it")
            continue
        path = root / file
        if not path.is_file():
            problems.append(f"{where}: no such file")
            continue
        scope = ""
        for name in names:
            if name not in definitions(path).get(scope, set()):
                problems.append(f"{where}: no {name} in {file}")
                break
            scope = name
    return problems


def test_the_docs_are_read():
    assert ROOT / "docs" / "testing.md" in DOCS and ROOT / "docs" / "design.md" in DOCS
    testing = (ROOT / "docs" / "testing.md").read_text()
    found = references(testing)
    # the figure table alone names dozens, several by the `::name` shorthand
    assert len(found) > 40
    assert any(file and names for file, names in found)


@pytest.mark.parametrize("doc", DOCS, ids=[doc.name for doc in DOCS])
def test_every_test_and_benchmark_a_doc_names_exists(doc):
    assert broken(doc.read_text()) == []


def test_a_made_up_name_is_caught():
    text = (
        "| a figure | `tests/test_engine.py::test_stops_when_one_cause_is_clear`, "
        "`::test_that_was_never_written` |\n"
        "\n"
        "See `tests/test_nothing_here.py` and `bench/engine.py::no_such_function`.\n"
        "\n"
        "`::test_stops_when_one_cause_is_clear` alone names no file.\n"
    )
    assert broken(text) == [
        "tests/test_engine.py::test_that_was_never_written: "
        "no test_that_was_never_written in tests/test_engine.py",
        "tests/test_nothing_here.py: no such file",
        "bench/engine.py::no_such_function: no no_such_function in bench/engine.py",
        "::test_stops_when_one_cause_is_clear names no file before it",
    ]


def test_the_shorthand_continues_the_file_of_its_own_row_or_paragraph_only():
    text = (
        "`tests/test_engine.py::test_stops_when_one_cause_is_clear`, "
        "`::test_stops_when_no_question_is_worth_asking`\n"
        "and on the next line of the paragraph `::test_lookups`.\n"
        "\n"
        "`::test_lookups` in a new paragraph.\n"
    )
    assert references(text) == [
        ("tests/test_engine.py", ("test_stops_when_one_cause_is_clear",)),
        ("tests/test_engine.py", ("test_stops_when_no_question_is_worth_asking",)),
        ("tests/test_engine.py", ("test_lookups",)),
        ("", ("test_lookups",)),
    ]


def test_a_method_is_named_through_its_class(tmp_path):
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_x.py").write_text(
        "class TestThing:\n    def test_a(self):\n        pass\n\ndef test_b():\n    pass\n"
    )
    assert broken("`tests/test_x.py::TestThing::test_a`, `::test_b`", tmp_path) == []
    assert broken("`tests/test_x.py::TestThing::test_b`", tmp_path) == [
        "tests/test_x.py::TestThing::test_b: no test_b in tests/test_x.py"
    ]


# --- links between the docs ------------------------------------------------------------------

LINK = re.compile(r"\]\((?P<file>[\w./-]+\.md)?(?:#(?P<anchor>[\w-]+))?\)")


def anchor(heading: str) -> str:
    """A heading's anchor as GitHub makes it: lower case, punctuation dropped, spaces to -."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower().replace("`", ""))
    return text.replace(" ", "-")


def anchors(path: Path) -> set[str]:
    return {
        anchor(line.lstrip("#"))
        for line in path.read_text().splitlines()
        if re.match(r"#{1,6} ", line)
    }


def broken_links(doc: Path) -> list[str]:
    problems = []
    for match in LINK.finditer(doc.read_text()):
        if not (match["file"] or match["anchor"]):
            continue
        target = (doc.parent / match["file"]).resolve() if match["file"] else doc
        if not target.is_file():
            problems.append(f"{match[0]}: no such file")
        elif match["anchor"] and match["anchor"] not in anchors(target):
            problems.append(f"{match[0]}: no such heading in {target.name}")
    return problems


@pytest.mark.parametrize("doc", DOCS, ids=[doc.name for doc in DOCS])
def test_every_link_between_the_docs_finds_its_file_and_heading(doc):
    assert broken_links(doc) == []


def test_a_link_to_a_missing_heading_is_caught(tmp_path):
    doc = tmp_path / "a.md"
    (tmp_path / "b.md").write_text("# B\n\n## One query format, errors, caching\n")
    doc.write_text(
        "[ok](b.md#one-query-format-errors-caching), [here](#a), [gone](b.md#two), [c](c.md)\n"
        "\n# A\n"
    )
    assert broken_links(doc) == [
        "](b.md#two): no such heading in b.md",
        "](c.md): no such file",
    ]


# --- one design, in the repository ----------------------------------------------------------

# Where the project's own text lives (tests, docs, benchmarks, code, templates, configuration).
SOURCE_DIRS = ("bench", "config", "diagnosis", "docs", "kb", "reports", "templates", "tests")
SOURCE_DIRS += ("usage", "static", "locale")
TOP_FILES = ("README.md", "Makefile", "Dockerfile", "compose.yaml", "pyproject.toml", ".ci/run")
TEXT = {".py", ".md", ".html", ".txt", ".toml", ".yaml", ".yml", ".js", ".css", ".po"}


def project_texts() -> list[Path]:
    files = [ROOT / name for name in TOP_FILES if (ROOT / name).is_file()]
    for folder in SOURCE_DIRS:
        files += [
            path
            for path in (ROOT / folder).rglob("*")
            if path.suffix in TEXT and "__pycache__" not in path.parts and path.is_file()
        ]
    return [path for path in files if path != Path(__file__).resolve()]


def test_the_design_is_in_the_repository_and_nothing_points_elsewhere():
    assert (ROOT / "docs" / "design.md").is_file()
    texts = project_texts()
    assert ROOT / "README.md" in texts and ROOT / "tests" / "design_contract.py" in texts
    outside = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in texts
        for number, line in enumerate(path.read_text(errors="replace").splitlines(), 1)
        if "DESIGN.md" in line or "../shared" in line
    ]
    assert outside == []


def test_the_readme_lists_the_design():
    assert "docs/design.md" in (ROOT / "README.md").read_text()
