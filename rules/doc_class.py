"""Document classes (rules/data/document_classes.yaml): 契約書, 誓約書, 委任状 … from the title, then the text."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from rules.citations import joined_text
from rules.errors import RuleDataError
from rules.yamlio import need, read_yaml, regexes

DEFAULT_CLASSES = Path(__file__).parent / "data" / "document_classes.yaml"
HEADING_LINES = 12  # the title of a form sits in its first lines
HEADING_MAX_CHARS = 30  # a heading is short; longer lines are sentences that may merely mention 契約書
SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class DocClass:
    id: str
    titles: tuple[re.Pattern, ...]
    exclude: tuple[re.Pattern, ...]

    def matches(self, heading: str) -> bool:
        return any(p.search(heading) for p in self.titles) and not any(p.search(heading) for p in self.exclude)


@dataclass(frozen=True)
class DocClasses:
    version: str
    classes: tuple[DocClass, ...]

    def classify(self, title: str, text: str = "") -> str | None:
        """The class from the title first, then from the short heading lines at the top of the text."""
        for heading in headings(title, text):
            for doc_class in self.classes:
                if doc_class.matches(heading):
                    return doc_class.id
        return None


@lru_cache(maxsize=8)  # the document class and the legal basis both read the headings of the same form
def headings(title: str, text: str) -> tuple[str, ...]:
    """The title, then the short lines at the top of the text, normalised and without spaces."""
    out = [SPACES.sub("", joined_text(title))] if title and title.strip() else []
    top = joined_text("\n".join((text or "").splitlines()[:HEADING_LINES]))  # one call: joined_text keeps line breaks
    for line in top.split("\n") if top else ():
        line = SPACES.sub("", line)
        if 2 <= len(line) <= HEADING_MAX_CHARS:
            out.append(line)
    return tuple(out)


def load_doc_classes(path: str | Path = DEFAULT_CLASSES) -> DocClasses:
    path = Path(path)
    data = read_yaml(path)
    version = str(need(data, "version", (str, int, float), path, "document_classes"))
    classes = []
    seen: set[str] = set()
    for i, raw in enumerate(need(data, "classes", list, path, "document_classes")):
        where = f"classes[{i}]"
        if not isinstance(raw, dict):
            raise RuleDataError(path, where, "キーと値の組にしてください")
        class_id = need(raw, "id", str, path, where)
        if class_id in seen:
            raise RuleDataError(path, f"{where}.id", f"id が重複しています（{class_id}）")
        seen.add(class_id)
        titles = regexes(raw, "titles", path, f"{where}（{class_id}）")
        if not titles:
            raise RuleDataError(path, f"{where}（{class_id}）.titles", "titles が空です")
        classes.append(DocClass(class_id, titles, regexes(raw, "exclude", path, f"{where}（{class_id}）")))
    return DocClasses(version, tuple(classes))
