"""The register phase's fixed costs (issue 19 G): register.xlsx written by a child process while this one writes
the rest, register.jsonl's lines shared with the state store, e-forms in place not read again when the record
of the last settle says they are the files placed then, and a scan's drafts and e-forms settled while the last
evidence pictures are still being made. Each shortcut is checked against the case it could get wrong: an edited
or deleted e-form, a killed writer process, a writer that fails, a picture that was not made."""

from __future__ import annotations

import json
import os
import shutil
import signal
from dataclasses import replace
from pathlib import Path

import pytest

from output.eforms import EFORMS, NOTE_MISSING, PLACED, row_online, settle_eforms, stage_eform
from output.jsonl_writer import row_json
from output.register import write_register, write_run
from output.revised.placement import STAGING as DRAFT_STAGING
from output.side_writer import SideWriter
from output.store.state import StateStore
from tests.test_output_eforms import FIELDS, _row
from tests.test_output_rows import make_row
from tests.xlsx_readback import describe, differences

RUN_INFO = {"as_of": "2025-04-01", "versions": {}, "inputs": [], "started": "2025-04-01T09:00:00+09:00",
            "finished": "2025-04-01T09:10:00+09:00", "run_id": "20250401T090000-0000abcd"}


def _rows(n: int = 40) -> list:
    rows = [make_row(i, input_root="/in") for i in range(1, n + 1)]
    return [replace(r, online=row_online(r)) for r in rows]


def _placed(out: Path) -> list:
    staged = [stage_eform(_row(i), FIELDS, out) for i in (1, 2, 3)]
    return settle_eforms(staged, out)


# e-forms in place ---------------------------------------------------------------------------------------------
def test_an_unchanged_settle_keeps_every_eform_and_records_it(tmp_path):
    rows = _placed(tmp_path)
    record = json.loads((tmp_path / PLACED).read_text(encoding="utf-8"))
    assert sorted(record) == sorted(r.eform_path for r in rows)
    before = {r.eform_path: (tmp_path / r.eform_path).read_bytes() for r in rows}
    again = settle_eforms(rows, tmp_path)
    assert [r.eform_path for r in again] == [r.eform_path for r in rows]
    assert {r.eform_path: (tmp_path / r.eform_path).read_bytes() for r in again} == before


@pytest.mark.parametrize("keep_time", [False, True])
def test_an_eform_edited_since_the_last_settle_is_read_and_written_right(tmp_path, keep_time):
    rows = _placed(tmp_path)
    path = tmp_path / rows[1].eform_path
    st = os.stat(path)
    eform = json.loads(path.read_text(encoding="utf-8"))
    assert eform["online"] == rows[1].online
    eform["online"] = {**eform["online"], "class": "x" * len(eform["online"]["class"])}  # the same size
    text = json.dumps(eform, ensure_ascii=False, indent=1)
    assert len(text.encode()) == st.st_size
    path.write_text(text, encoding="utf-8")
    if keep_time:  # the old modification time back: only the change time tells
        os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    settle_eforms(rows, tmp_path)
    assert json.loads(path.read_text(encoding="utf-8"))["online"] == rows[1].online


def test_a_deleted_eform_is_missing_and_a_lost_record_reads_them_all(tmp_path):
    rows = _placed(tmp_path)
    (tmp_path / rows[0].eform_path).unlink()
    (tmp_path / PLACED).unlink()
    wrong = tmp_path / rows[2].eform_path
    eform = json.loads(wrong.read_text(encoding="utf-8"))
    wrong.write_text(json.dumps({**eform, "online": {}}, ensure_ascii=False), encoding="utf-8")
    again = settle_eforms(rows, tmp_path)
    assert again[0].eform_path is None and again[0].eform_note == NOTE_MISSING
    assert json.loads(wrong.read_text(encoding="utf-8"))["online"] == rows[2].online
    assert again[1].eform_path == rows[1].eform_path


def test_strays_and_empty_folders_are_swept(tmp_path):
    stray = tmp_path / EFORMS / "old" / "deep" / "gone.docx.json"
    stray.parent.mkdir(parents=True)
    stray.write_text("{}", encoding="utf-8")
    rows = _placed(tmp_path)
    assert not (tmp_path / EFORMS / "old").exists()
    assert all((tmp_path / r.eform_path).is_file() for r in rows)


# register.xlsx in a child process -----------------------------------------------------------------------------
def test_the_child_writes_the_same_workbook_as_this_process(tmp_path):
    rows = _rows()
    inline = write_register(rows, tmp_path / "inline", run_info=RUN_INFO)
    with SideWriter() as side:
        assert side.child_pid() not in (None, os.getpid())
        lines: list[str] = []
        beside = write_register(rows, tmp_path / "side", run_info=RUN_INFO, side=side, lines=lines)
    assert lines == beside["jsonl"].read_text(encoding="utf-8").splitlines()
    assert [json.loads(line) for line in lines] == [json.loads(row_json(replace(r, run_id=RUN_INFO["run_id"])))
                                                    for r in rows]
    assert not differences(describe(inline["xlsx"]), describe(beside["xlsx"]))
    for kind in ("csv", "jsonl"):
        assert inline[kind].read_bytes() == beside[kind].read_bytes()


def test_a_killed_child_leaves_a_complete_register_written_here(tmp_path):
    rows = _rows()
    inline = write_register(rows, tmp_path / "inline", run_info=RUN_INFO)
    with SideWriter() as side:
        os.kill(side.child_pid(), signal.SIGKILL)  # dies before (or while) it writes
        beside = write_register(rows, tmp_path / "side", run_info=RUN_INFO, side=side)
    assert not differences(describe(inline["xlsx"]), describe(beside["xlsx"]))
    assert not list((tmp_path / "side").glob(".register.*.tmp"))


def test_a_failing_child_fails_the_write_and_the_previous_register_stays(tmp_path):
    rows = _rows(5)
    out = tmp_path / "out"
    write_register(rows, out, run_info=RUN_INFO)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    unsendable = {**RUN_INFO, "run_id": "20250402T090000-0000ffff", "note": lambda: None}  # the workbook's part fails
    with SideWriter() as side, pytest.raises(Exception):  # noqa: B017 - whatever the workbook's writer raised
        write_register(rows, out, run_info=unsendable, side=side)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


def test_the_state_store_keeps_the_jsonl_lines(tmp_path):
    rows = _rows(6)
    shown, _paths = write_run(rows, tmp_path, run_info=RUN_INFO, args={"command": "scan"})
    with StateStore(tmp_path) as store:
        saved = [r[0] for r in store.db.execute("SELECT row_json FROM rows ORDER BY rowid")]
    assert saved == (tmp_path / "register.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(s)["path"] for s in saved] == [r.path for r in shown]


# the pictures' wait ----------------------------------------------------------------------------------------------
def test_drafts_and_eforms_settle_before_the_pictures_are_awaited(tmp_path):
    staged = [stage_eform(_row(i), FIELDS, tmp_path) for i in (1, 2)]
    seen: list = []

    left = tmp_path / DRAFT_STAGING / "0123456789abcdef" / "申請書1.docx"  # a scan's per-file staging folder
    left.mkdir(parents=True)

    def pictures() -> None:  # what is in place while the last pictures are still being made
        seen.append(sorted(p.relative_to(tmp_path).as_posix() for p in (tmp_path / EFORMS).rglob("*.json")))
        seen.append((tmp_path / "register.jsonl").exists())
        seen.append((tmp_path / DRAFT_STAGING).exists())

    shown, _paths = write_run(staged, tmp_path, run_info=RUN_INFO, args={"command": "scan"}, pictures=pictures)
    assert seen == [sorted(r.eform_path for r in shown), False, False]
    assert all(r.evidence_image is None for r in shown)  # no picture was made: none is linked


def test_a_run_whose_register_fails_is_not_recorded(tmp_path):
    rows = _rows(5)
    write_run(rows, tmp_path, run_info=RUN_INFO, args={"command": "scan"})
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir() if p.is_file()}
    broken = {**RUN_INFO, "run_id": "20250402T090000-0000ffff", "changes": {"new_files": 3}}  # 変更履歴 fails
    with pytest.raises(Exception):  # noqa: B017 - whatever the workbook's writer raised
        write_run(rows, tmp_path, run_info=broken, args={"command": "reaudit"})
    with StateStore(tmp_path) as store:
        assert [r["run_key"] for r in store.runs()] == [RUN_INFO["run_id"]]  # rolled back with the register
        assert len(store.load_rows()) == 5
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir() if p.is_file()} == before


# register.xlsx written while the last pictures are made --------------------------------------------------------
def _workbook_of(out: Path) -> dict:
    return describe(out / "register.xlsx")


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_workbook_written_while_the_pictures_are_made_is_the_one_written_after(tmp_path):
    """A scan's last LibreOffice pictures: register.xlsx is written meanwhile for the rows as they will be and
    kept, because every picture was made (real LibreOffice)."""
    from output.evidence.early import EarlyPictures
    from tests.test_evidence_pictures import KEIYAKU, row_for

    rows = [row_for(KEIYAKU, "表2 2行4列")]
    early = EarlyPictures(tmp_path / "ahead", None)
    early.add(rows)
    early.flush()
    assert early.busy()
    shown, _ = write_run(rows, tmp_path / "ahead", run_info=RUN_INFO, args={"command": "scan"},
                         pictures=early.finish, pictures_busy=early.busy)
    assert shown[0].evidence_image and (tmp_path / "ahead" / shown[0].evidence_image).is_file()
    after, _ = write_run(rows, tmp_path / "after", run_info=RUN_INFO, args={"command": "scan"})  # draws it here
    assert after[0].evidence_image == shown[0].evidence_image
    assert not differences(_workbook_of(tmp_path / "after"), _workbook_of(tmp_path / "ahead"))
    assert not list((tmp_path / "ahead").glob(".register.*.tmp"))


def test_workbook_written_ahead_is_written_again_when_a_picture_is_not_made(tmp_path, monkeypatch):
    """The workbook written ahead expects the picture; LibreOffice is missing, so no picture is made and the
    register must not link one: the workbook is written again for the final rows."""
    from output.evidence import office_pdf
    from tests.test_evidence_pictures import KEIYAKU, row_for

    monkeypatch.setattr(office_pdf, "soffice", lambda: None)
    rows = [row_for(KEIYAKU, "表2 2行4列")]
    waited = []
    shown, _ = write_run(rows, tmp_path / "ahead", run_info=RUN_INFO, args={"command": "scan"},
                         pictures=lambda: waited.append(True), pictures_busy=lambda: True)
    assert waited == [True]
    assert shown[0].evidence_image is None
    plain, _ = write_run(rows, tmp_path / "plain", run_info=RUN_INFO, args={"command": "scan"})
    assert plain[0].evidence_image is None
    assert not differences(_workbook_of(tmp_path / "plain"), _workbook_of(tmp_path / "ahead"))
    assert not list((tmp_path / "ahead").glob(".register.*.tmp"))


def test_workbook_ahead_is_used_only_for_the_same_rows(tmp_path):
    from output.register import WorkbookAhead

    rows = _rows(5)
    ahead = WorkbookAhead(rows, tmp_path, RUN_INFO)
    assert ahead.take([replace(rows[0], reason="別の理由"), *rows[1:]]) is None
    assert not list(tmp_path.glob(".register.*.tmp"))  # the wrong workbook is removed
    again = WorkbookAhead(rows, tmp_path, RUN_INFO)
    path = again.take(list(rows))
    assert path is not None and path.is_file()
    assert again.take(rows) is None  # given once
    again.discard()  # a run that failed before moving it into place
    assert not path.exists()


# register.xlsx started in the side process before the rows settle (an unchanged re-audit) ---------------------
def test_side_ahead_is_used_only_for_the_same_rows_and_is_the_same_workbook(tmp_path):
    from output.register import SideAhead

    rows = [replace(r, run_id=RUN_INFO["run_id"]) for r in _rows(30)]
    inline = write_register(rows, tmp_path / "inline", run_info=RUN_INFO)
    out = tmp_path / "out"
    out.mkdir()
    with SideWriter() as side:
        wrong = SideAhead(side, rows, out, {**RUN_INFO, "history": []})
        assert wrong.take([replace(rows[0], reason="別の理由"), *rows[1:]]) is None
        assert not list(out.glob(".register.*.tmp"))  # the side process was waited for, then its file removed
        ahead = SideAhead(side, rows, out, {**RUN_INFO, "history": []})
        path = ahead.take(list(rows))
        assert path is not None and ahead.take(rows) is None  # given once
        ahead.ready()
        ahead.ready()  # waits once
    shown = tmp_path / "ahead.xlsx"
    path.rename(shown)
    assert not differences(describe(inline["xlsx"]), describe(shown))


def _settled(out: Path) -> list:
    """Rows whose e-forms are in place (as a re-audit's kept rows), 1,000 of them: the side process is used."""
    staged = [stage_eform(_row(i), FIELDS, out) for i in range(1, 1001)]
    return settle_eforms(staged, out)


def side_takes(monkeypatch) -> list:
    """The side process is used whatever the machine's load; the list gets what each `SideAhead.take` gave."""
    import output.register as register

    taken: list = []
    real_take = register.SideAhead.take
    monkeypatch.setattr(register, "side_worth_it", lambda rows: True)
    monkeypatch.setattr(register.SideAhead, "take", lambda self, rows: taken.append(real_take(self, rows)) or taken[-1])
    return taken


def test_an_unchanged_rerun_writes_the_workbook_beside_the_settling(tmp_path, monkeypatch):
    import output.register as register

    taken = side_takes(monkeypatch)
    out = tmp_path / "out"
    rows = _settled(out)
    assert register.settled_already(rows)
    assert not register.settled_already([stage_eform(_row(1), FIELDS, tmp_path / "fresh")])  # read in this run
    shutil.copytree(out, tmp_path / "inline-out")  # the same e-forms and state, written the usual way below
    shown, _ = write_run(rows, out, run_info=RUN_INFO, args={"command": "reaudit"})
    assert len(taken) == 1 and taken[0] is not None  # written beside the settling, and used
    monkeypatch.setattr(register, "side_worth_it", lambda rows: False)
    inline, _ = write_run(rows, tmp_path / "inline-out", run_info=RUN_INFO, args={"command": "reaudit"})
    assert len(taken) == 1  # no side process: nothing started ahead
    assert [r.eform_path for r in shown] == [r.eform_path for r in rows] == [r.eform_path for r in inline]
    assert not differences(_workbook_of(out), _workbook_of(tmp_path / "inline-out"))
    assert not list(out.glob(".register.*.tmp"))


def test_a_rerun_whose_rows_change_as_they_settle_writes_the_workbook_again(tmp_path, monkeypatch):
    """An e-form deleted since the last run: settling gives its row the 見つかりません note, so the workbook
    started for the rows as they came is not used; the register shows the note."""
    taken = side_takes(monkeypatch)
    out = tmp_path / "out"
    rows = _settled(out)
    (out / rows[7].eform_path).unlink()
    shown, _ = write_run(rows, out, run_info=RUN_INFO, args={"command": "reaudit"})
    assert taken == [None]
    assert shown[7].eform_note == NOTE_MISSING and shown[7].eform_path is None
    from openpyxl import load_workbook

    sheet = load_workbook(out / "register.xlsx", read_only=True).worksheets[0]
    assert any(NOTE_MISSING in str(cell) for row in sheet.iter_rows(values_only=True) for cell in row if cell)
    assert not list(out.glob(".register.*.tmp"))
