"""The drafts' cheaper paths (issue 19 H) give what the plain ones gave: table positions listed once per table and
row, the container checked on the bytes the reviser unpacks anyway, drafts deflated at level 1, cache entries written
with `replace_bytes`."""

from __future__ import annotations

import os
import stat
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from extractors.safety import UnsafeContainer
from output.atomic import replace_bytes
from output.revised import NOTE_FAILED, revise
from output.revised.docx_units import TableIndex, W, ancestor, q
from output.revised.zipio import COMPRESSLEVEL, read_members, write_members
from tests.fixtures.revised_forms import make_docx


def _cell(text: str, span: int | None = None, inner: str = "") -> str:
    props = f'<w:tcPr><w:gridSpan w:val="{span}"/></w:tcPr>' if span else ""
    return f"<w:tc>{props}<w:p><w:r><w:t>{text}</w:t></w:r></w:p>{inner}</w:tc>"


def _table(rows: list[list[str]]) -> str:
    return "<w:tbl>" + "".join("<w:tr>" + "".join(r) + "</w:tr>" for r in rows) + "</w:tbl>"


def reference_position(numbers: dict, tc: etree._Element) -> tuple[int, int, int]:
    """The position as it was computed before (every cell walking its table and row again)."""
    tr = ancestor(tc, q("tr"))
    tbl = ancestor(tr, q("tbl")) if tr is not None else None
    rows = [r for r in tbl.iter(q("tr")) if ancestor(r, q("tbl")) is tbl] if tbl is not None else []
    row = rows.index(tr) + 1 if tr in rows else 1
    col = 1
    for cell in tr.iter(q("tc")) if tr is not None else []:
        if cell is tc:
            break
        if ancestor(cell, q("tr")) is tr:
            span = cell.find(f"{q('tcPr')}/{q('gridSpan')}")
            col += int(span.get(q("val"), "1")) if span is not None else 1
    return numbers.get(tbl, 0), row, col


def test_table_positions_match_the_cell_by_cell_count_with_spans_nesting_and_content_controls() -> None:
    nested = _table([[_cell("内1"), _cell("内2", 2), _cell("内3")], [_cell("内4", 3), _cell("内5")]])
    sdt_cell = f"<w:sdt><w:sdtContent>{_cell('包まれた')}</w:sdtContent></w:sdt>"
    body = _table([
        [_cell("氏名", 2), _cell("印"), _cell("外", inner=nested)],
        [_cell("住所"), sdt_cell, _cell("電話", 3), _cell("末")],
        [_cell("a", 4), _cell("b")],
    ]) + _table([[_cell("二つ目"), _cell("表")]])
    root = etree.fromstring(f'<w:document xmlns:w="{W}"><w:body>{body}</w:body></w:document>')
    index = TableIndex(root)
    cells = list(root.iter(q("tc")))
    assert len(cells) == 16
    got = [index.position(tc) for tc in cells]
    assert got == [reference_position(index.numbers, tc) for tc in cells]
    assert {(1, 2, 6), (1, 3, 5), (2, 2, 4), (3, 1, 2)} <= set(got)  # spans, a content control, nesting, table 3


def test_a_broken_span_fails_only_for_the_cells_after_it_as_before() -> None:
    body = _table([[_cell("氏名"), _cell("壊れた", span=1), _cell("印")]]).replace('w:val="1"', 'w:val="x"')
    root = etree.fromstring(f'<w:document xmlns:w="{W}"><w:body>{body}</w:body></w:document>')
    index = TableIndex(root)
    first, broken, after = list(root.iter(q("tc")))
    assert index.position(first) == (1, 1, 1)
    assert index.position(broken) == (1, 1, 2)
    with pytest.raises(ValueError):
        index.position(after)


def _with_part(src: Path, dst: Path, name: str, data: bytes) -> Path:
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            zout.writestr(info, zin.read(info.filename))
        zout.writestr(name, data)
    return dst


def test_a_part_declaring_a_dtd_is_refused_when_the_draft_reads_the_container(tmp_path: Path) -> None:
    src = make_docx(tmp_path / "a.docx", ["申請者　氏名　　　　　　㊞"])
    hostile = _with_part(src, tmp_path / "b.docx", "word/unused.xml",
                         b'<?xml version="1.0"?>\n<!-- a long comment -->\n<!DOCTYPE x [<!ENTITY e "e">]><x>&e;</x>')
    with zipfile.ZipFile(hostile) as zf, pytest.raises(UnsafeContainer):
        read_members(zf)
    result = revise(hostile, fmt="docx", rel_path="課/b.docx", replacement="kimei", out_dir=tmp_path / "out")
    assert result.path is None and result.note == NOTE_FAILED.format(reason="UnsafeContainer")
    fine = revise(src, fmt="docx", rel_path="課/a.docx", replacement="kimei", out_dir=tmp_path / "out")
    assert fine.path is not None and fine.edits


def test_a_draft_keeps_every_member_and_its_metadata_deflated_at_the_chosen_level(tmp_path: Path) -> None:
    src = make_docx(tmp_path / "a.docx", ["申請者　氏名　　　　　　㊞", "この用紙を印刷して使用してください。"])
    result = revise(src, fmt="docx", rel_path="課/a.docx", replacement="kimei", out_dir=tmp_path / "out")
    assert result.path is not None
    with zipfile.ZipFile(src) as a, zipfile.ZipFile(result.path) as b:
        assert [(i.filename, i.date_time, i.compress_type) for i in a.infolist()] == \
               [(i.filename, i.date_time, i.compress_type) for i in b.infolist()]
        changed = [n for n in a.namelist() if a.read(n) != b.read(n)]
        assert changed == ["word/document.xml"]
        assert "㊞" not in b.read("word/document.xml").decode("utf-8")
    assert COMPRESSLEVEL == 1
    copy = tmp_path / "copy.docx"
    with zipfile.ZipFile(src) as zf:
        write_members(copy, read_members(zf))
    with zipfile.ZipFile(src) as a, zipfile.ZipFile(copy) as b:
        assert all(a.read(n) == b.read(n) for n in a.namelist())
        assert all(i.compress_type == zipfile.ZIP_DEFLATED for i in b.infolist())


def test_replace_bytes_makes_the_folder_keeps_the_usual_permissions_and_leaves_no_temporary_file(
        tmp_path: Path) -> None:
    target = tmp_path / "ab" / "entry.json"
    replace_bytes(target, b"first")
    replace_bytes(target, b"second")
    assert target.read_bytes() == b"second"
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~umask
    assert sorted(p.name for p in target.parent.iterdir()) == ["entry.json"]
    blocked = tmp_path / "file"
    blocked.write_bytes(b"")
    with pytest.raises(OSError):
        replace_bytes(blocked / "x.json", b"data")  # its folder is a file: refused, nothing left behind
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ab", "file"]
