"""Find our own sentences (pattern and rule examples, test strings) that copy a line of the real corpus.

Both sides are normalised (NFKC, no spaces or punctuation). Not compared: sentences shorter than MIN_CHARS
(generic phrases any form has: 氏名, 押印不要, 代表者印), bare names of laws and documents (古物営業法第5条,
保管場所使用承諾証明書: the catalogue must name them as they are), and the tests that measure the real corpus
(their strings are what they expect to read there). A sentence is a copy when it is a real line or most of one
(more than COVER of its characters)."""

from __future__ import annotations

import ast
import re
import unicodedata
from collections.abc import Iterable, Iterator
from pathlib import Path

import yaml

MIN_CHARS = 9  # 押印してください (8) is a phrase every form has
DROP = re.compile(r"[\s\u3000、。，．・：:；;「」『』（）()\[\]［］【】〔〕<>＜＞\"'“”‘’!！?？…‥\-ー―‐/／|｜_]+")
CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")
NAME = re.compile(r"(法|法律|令|規則|条例|要綱|規程|第\d+条(の\d+)?(第\d+項)?|書|届|状|簿|票|図)$")
COVER = 0.5
MEASURES_REAL = ("real_corpus", "REAL_CORPUS")


def flat(text: str) -> str:
    return DROP.sub("", unicodedata.normalize("NFKC", text))


def _strings(node) -> Iterator[str]:
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for value in node.values():
            yield from _strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from _strings(value)


def _examples(node) -> Iterator[str]:
    """Every string under an `examples` key, at any depth."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _strings(value) if key == "examples" else _examples(value)
    elif isinstance(node, list):
        for value in node:
            yield from _examples(value)


def own_sentences(root: Path) -> list[tuple[str, str]]:
    """(where, sentence) for pattern and rule-data examples and for Japanese string literals in tests/."""
    out = []
    for path in sorted([*root.glob("classifiers/patterns/*.yaml"), *root.glob("rules/data/**/*.yaml")]):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        out += [(str(path.relative_to(root)), s) for s in _examples(data)]
    for path in sorted(root.glob("tests/**/*.py")):
        source = path.read_text(encoding="utf-8")
        if path.name == Path(__file__).name or any(word in source for word in MEASURES_REAL):
            continue
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and CJK.search(node.value):
                out += [(f"{path.relative_to(root)}:{node.lineno}", s) for s in node.value.split("\n")]
    return out


def real_lines(documents: Iterable) -> set[str]:
    """The normalised lines and cells of the real corpus's documents (long enough to compare)."""
    lines: set[str] = set()
    for document in documents:
        for line in document.lines():
            for piece in [line.text, *line.text.split("\t")]:
                if len(text := flat(piece)) >= MIN_CHARS:
                    lines.add(text)
    return lines


def copies(sentences: list[tuple[str, str]], lines: set[str]) -> list[tuple[str, str, str]]:
    """(where, sentence, real line) for each sentence that is a real line, or is held whole inside one."""
    found = []
    for where, sentence in sentences:
        text = flat(sentence)
        if len(text) < MIN_CHARS or NAME.search(text):
            continue
        line = next((line for line in lines if text in line and len(text) > COVER * len(line)), None)
        if line is not None:
            found.append((where, sentence, line))
    return found
