"""Text from files and reviewers inside Markdown (the Prefect artifacts): shown as text, never as markup.

A file name such as `a|b.pdf`, `[x](javascript:alert(1)).docx`, `![](http://…)` or `<img onerror=…>` must
neither split a table's columns nor become a link, an image or HTML in the Prefect UI.
"""

from __future__ import annotations

import re

_HTML = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"}
_MARKUP = re.compile(r"([\\`*_\[\]!|~])")  # links, images, code, emphasis, table cells; `.` `-` `(` stay


def md(value: object) -> str:
    """`value` as literal Markdown text on one line: HTML characters as entities, the Markdown punctuation that
    makes links, images, code and emphasis backslash-escaped (a `|` can no longer end a table cell; without
    `[`/`]` no `[x](…)` or `![](…)` is a link), line breaks as spaces. Paths stay readable (`.` `-` `/`)."""
    text = " ".join(str(value if value is not None else "").split())
    text = "".join(_HTML.get(ch, ch) for ch in text)
    return _MARKUP.sub(r"\\\1", text)
