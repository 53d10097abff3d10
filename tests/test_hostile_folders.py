"""Issue 15, items 2–5: nothing may touch files outside INPUT_DIR and OUT_DIR (links, state, caches)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from extractors.discover import OUTSIDE_LINK, discover
from flows.cli import main
from output.confine import LinkedFolder
from output.pipeline.steps import PipelineOptions, process_file
from output.revised.placement import NOTE_OUTSIDE, settle_drafts
from output.store.drafts import DraftCache, draft_key
from output.store.filestat import discover_known
from tests.fixtures import hostile
from tests.test_output_rows import make_row

pytestmark = [pytest.mark.ginza]


def options(out: Path) -> PipelineOptions:
    return PipelineOptions(as_of=hostile.AS_OF, out_dir=str(out), cache_dir=str(out / ".sealreview" / "cache"),
                           work_dir=str(out / ".work"))


def victim(tmp_path: Path) -> Path:
    """A folder outside both of the tool's folders, with a file nobody may touch."""
    folder = tmp_path / "victim"
    folder.mkdir()
    (folder / "keep.txt").write_text("他人のファイル", encoding="utf-8")
    return folder


def test_item2_linked_revised_folder_is_refused(tmp_path: Path, capsys) -> None:
    outside = victim(tmp_path)
    inputs, out = tmp_path / "in", tmp_path / "out"
    hostile.abolish_form(inputs)
    out.mkdir()
    (out / "revised").symlink_to(outside, target_is_directory=True)
    assert main(["scan", str(inputs), "--out", str(out), "--workers", "1"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 2 and "シンボリックリンク" in err[0] and "symbolic link" in err[1]
    with pytest.raises(LinkedFolder):  # the library call refuses too, before pruning anything
        settle_drafts([make_row(1, revised_path=None)], out)
    assert sorted(p.name for p in outside.iterdir()) == ["keep.txt"]


def test_item3_checkpoint_row_naming_a_foreign_file_is_ignored(tmp_path: Path) -> None:
    outside = victim(tmp_path)
    out = tmp_path / "out"
    (out / "revised").mkdir(parents=True)
    row = make_row(1, revised_path=str(outside / "keep.txt"))  # as a crafted checkpoint row would hold it
    settled = settle_drafts([row, make_row(2, revised_path="../victim/keep.txt")], out)
    assert [r.revised_path for r in settled] == [None, None]
    assert all(NOTE_OUTSIDE in r.warnings for r in settled)
    assert (outside / "keep.txt").read_text(encoding="utf-8") == "他人のファイル"
    assert not any((out / "revised").rglob("*"))


def test_item4_draft_cache_entry_replaced_by_a_link_is_not_copied(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("root only", encoding="utf-8")
    os.chmod(secret, 0o600)
    inputs, out = tmp_path / "in", tmp_path / "out"
    form = hostile.abolish_form(inputs)
    os.chmod(form, 0o640)
    source = next(iter(discover([inputs])))
    first = process_file(source, options(out))
    assert first.decision == "abolish" and first.revised_path
    key = draft_key(source.sha256, first.replacement)
    data = DraftCache(options(out).cache_dir).directory / key[:2] / f"{key}.bin"
    assert data.is_file()
    data.unlink()
    data.symlink_to(secret)
    (out / first.revised_path).unlink()
    again = process_file(source, options(out))
    draft = out / again.revised_path
    assert b"root only" not in draft.read_bytes()  # drafted again from the form, not copied from the link
    settled = settle_drafts([again], out)[0]
    placed = out / settled.revised_path
    assert stat.S_IMODE(placed.stat().st_mode) == 0o640  # never more readable than the form (0640)


def test_item5_link_out_of_the_input_folder_is_not_followed(tmp_path: Path) -> None:
    outside = victim(tmp_path)
    inputs, out = tmp_path / "in", tmp_path / "out"
    hostile.abolish_form(inputs)
    (inputs / "外.docx").symlink_to(outside / "keep.txt")
    (inputs / "shadow.pdf").symlink_to("/etc/shadow")
    (inputs / "内.docx").symlink_to(inputs / hostile.HOJOKIN)  # inside the folder: read as usual
    for sources in (discover([inputs]), discover_known([inputs], out)[0]):
        by_name = {s.rel_path: s for s in sources}
        for name in ("外.docx", "shadow.pdf"):
            assert by_name[name].error == OUTSIDE_LINK and by_name[name].sha256 == ""
        assert by_name["内.docx"].error is None and by_name["内.docx"].sha256
    row = process_file(next(s for s in discover([inputs]) if s.rel_path == "外.docx"), options(out))
    assert row.decision == "error" and row.reason == OUTSIDE_LINK and not row.revised_path


def test_item2_link_inside_revised_is_not_written_through(tmp_path: Path) -> None:
    outside = victim(tmp_path)
    out = tmp_path / "out"
    (out / "revised").mkdir(parents=True)
    (out / "revised" / "総務局").symlink_to(outside, target_is_directory=True)
    staged = out / ".sealreview" / "drafts" / "k" / "d.docx"
    staged.parent.mkdir(parents=True)
    staged.write_bytes(b"draft")
    row = make_row(1, revised_path=str(staged.relative_to(out)), machine_decision="abolish")
    settled = settle_drafts([row], out)[0]
    assert settled.revised_path is None and NOTE_OUTSIDE in settled.warnings
    assert sorted(p.name for p in outside.iterdir()) == ["keep.txt"]
