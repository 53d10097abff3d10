"""Every bad input becomes one row with a Japanese reason, and the other files of the batch are processed."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from extractors.discover import discover
from output.models import RegisterRow
from output.pipeline.steps import PipelineOptions, process_batch
from tests.fixtures import bad_inputs as bad
from tests.fixtures.extract_fixtures import make_docx

pytestmark = [pytest.mark.ginza]

OPTIONS = PipelineOptions(as_of="2026-04-01")
GOOD = "正常な申請書.docx"


def scan_folder(folder: Path, options: PipelineOptions = OPTIONS) -> dict[str, RegisterRow]:
    """discover + the per-file pipeline over a folder that also holds one good form."""
    make_docx(folder / GOOD)
    rows = process_batch(discover([folder]), options)
    assert len(rows) == len({r.path for r in rows}), "one row per file"
    return {r.path: r for r in rows}


def assert_good_processed(rows: dict[str, RegisterRow]) -> None:
    good = rows[GOOD]
    assert good.decision != "error", good.reason
    assert good.seal_requested is True and good.evidence


def assert_bad_row(row: RegisterRow, decisions: tuple[str, ...], reason: str) -> None:
    assert row.decision in decisions, (row.decision, row.reason)
    text = " ".join([row.reason, row.error or "", *row.warnings])
    assert reason in text, text
    if row.decision == "error":
        assert row.error and row.seal_requested is None


@pytest.mark.parametrize("kind", sorted(bad.BAD_KINDS))
def test_bad_input_gets_a_row_and_the_batch_goes_on(tmp_path: Path, kind: str) -> None:
    spec = bad.BAD_KINDS[kind]
    path = spec.make(tmp_path)
    rows = scan_folder(tmp_path)
    assert set(rows) == {path.name, GOOD}
    assert_bad_row(rows[path.name], spec.decisions, spec.reason)
    assert_good_processed(rows)


def test_truncated_pdf_says_it_is_broken(tmp_path: Path) -> None:
    path = bad.truncated_pdf(tmp_path)
    rows = scan_folder(tmp_path)
    assert rows[path.name].decision == "error"
    assert rows[path.name].reason == "PDFが壊れているため読み取れません"
    assert_good_processed(rows)


def test_corrupt_compressed_part_is_a_broken_file_not_a_retry(tmp_path: Path) -> None:
    """Regression (fuzzing): a part whose deflate data cannot be inflated was reported 「…（error）」 and marked to be
    read again on every run, as if the surroundings had failed; the file itself is broken."""
    from extractors.discover import describe_file
    from extractors.registry import extract

    path = bad.corrupt_deflate_docx(tmp_path)
    document = extract(describe_file(path, tmp_path), ocr=False)
    assert document.status.value == "failed"
    assert list(document.errors) == ["Wordファイルが壊れているため読み取れません"]
    assert not document.meta.get("retry")


def test_wrong_extension_is_read_by_content(tmp_path: Path) -> None:
    path = bad.wrong_extension_pdf(tmp_path)  # a PDF named .docx
    rows = scan_folder(tmp_path)
    row = rows[path.name]
    assert row.format == "pdf" and row.seal_requested is True and row.decision != "error"
    assert_good_processed(rows)


@pytest.mark.parametrize("maker", [bad.entity_expansion_docx, bad.external_entity_xlsx])
def test_xml_entities_are_refused_not_expanded(tmp_path: Path, maker) -> None:
    path = maker(tmp_path)
    rows = scan_folder(tmp_path)
    row = rows[path.name]
    assert_bad_row(row, ("error",), "エンティティ")
    dumped = str(row.to_json())
    assert "root:x:0:0" not in dumped and "lollollol" not in dumped
    assert_good_processed(rows)


def test_pdf_of_hundreds_of_pages_is_capped_and_reviewed(tmp_path: Path) -> None:
    path = bad.many_pages_pdf(tmp_path, pages=320)
    rows = scan_folder(tmp_path)
    row = rows[path.name]
    # the seal on page 1 was read, pages after 300 were not: a reviewer must look
    assert row.decision == "needs_review", row.reason
    assert row.seal_requested is True
    assert "300ページを超える部分は読み取っていません" in row.reason + " ".join(row.warnings)
    assert_good_processed(rows)


@pytest.fixture
def no_tesseract(tmp_path_factory, monkeypatch) -> None:
    """PATH with pdftoppm but without tesseract (tesseract stays installed)."""
    bin_dir = tmp_path_factory.mktemp("bin-without-tesseract")
    for tool in ("pdftoppm", "soffice", "libreoffice"):
        found = shutil.which(tool)
        if found:
            (bin_dir / tool).symlink_to(found)
    monkeypatch.setenv("PATH", str(bin_dir))
    assert shutil.which("tesseract") is None


def test_image_only_pdf_without_ocr_is_an_error_saying_why(tmp_path: Path, no_tesseract) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    path = bad.image_only_pdf(folder)
    rows = scan_folder(folder)
    row = rows[path.name]
    assert_bad_row(row, ("error",), "OCR（tesseract）が見つからない")
    assert_good_processed(rows)


def test_odd_file_names_give_valid_utf8_rows(tmp_path: Path) -> None:
    folder = os.fsencode(tmp_path)
    spaced = tmp_path / "申請 書　（全角スペース）ＡＢＣ.docx"
    make_docx(spaced)
    sjis = folder + b"/" + "旧様式申請書.docx".encode("cp932")  # Shift_JIS name from a Windows share
    invalid = folder + b"/bad\xff\xfe.docx"  # bytes that are neither UTF-8 nor cp932
    for raw in (sjis, invalid):
        with open(raw, "wb") as fh:
            fh.write(spaced.read_bytes())
    rows = scan_folder(tmp_path)
    assert set(rows) == {spaced.name, "旧様式申請書.docx", "bad\\xff\\xfe.docx", GOOD}
    for row in rows.values():
        row.path.encode("utf-8")  # no lone surrogates: the register stays valid UTF-8
        assert row.decision != "error", (row.path, row.reason)
        assert row.seal_requested is True


def test_odd_names_survive_the_register_writers(tmp_path: Path) -> None:
    from output.register import write_register

    src = tmp_path / "in"
    src.mkdir()
    with open(os.fsencode(src) + b"/bad\xff.docx", "wb") as fh:
        fh.write(make_docx(tmp_path / "x.docx").read_bytes())
    rows = list(scan_folder(src).values())
    paths = write_register(rows, tmp_path / "out", run_info={"as_of": "2026-04-01", "versions": {}})
    text = paths["jsonl"].read_bytes().decode("utf-8")  # strict: valid UTF-8
    assert "bad\\\\xff.docx" in text
    paths["csv"].read_bytes().decode("utf-8-sig")


def test_symlink_loops_and_broken_links(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "back").symlink_to(tmp_path, target_is_directory=True)  # folder loop: not followed
    (tmp_path / "a.pdf").symlink_to(tmp_path / "b.pdf")  # file loop a → b → a
    (tmp_path / "b.pdf").symlink_to(tmp_path / "a.pdf")
    (tmp_path / "gone.docx").symlink_to(tmp_path / "deleted.docx")
    rows = scan_folder(tmp_path)
    assert set(rows) == {"a.pdf", "b.pdf", "gone.docx", GOOD}
    assert_bad_row(rows["a.pdf"], ("error",), "シンボリックリンクが循環")
    assert_bad_row(rows["gone.docx"], ("error",), "見つかりません")
    assert_good_processed(rows)


def test_named_pipe_is_never_opened(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "申請書.pdf")  # opening it would block for ever
    rows = scan_folder(tmp_path)
    assert_bad_row(rows["申請書.pdf"], ("error",), "通常のファイルではない")
    assert_good_processed(rows)


def test_file_vanishing_or_locked_after_discovery(tmp_path: Path, monkeypatch) -> None:
    """Between discovery and reading a file can be deleted or lose its permissions."""
    gone = make_docx(tmp_path / "消えた.docx")
    locked = make_docx(tmp_path / "権限なし.docx")
    make_docx(tmp_path / GOOD)
    sources = discover([tmp_path])
    gone.unlink()
    real_open = Path.open

    def guarded_open(self, *args, **kwargs):
        if self.name == locked.name:
            raise PermissionError(13, "Permission denied", str(self))
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", guarded_open)
    import zipfile

    real_zip_init = zipfile.ZipFile.__init__

    def zip_init(self, file, *args, **kwargs):
        if str(file).endswith(locked.name):
            raise PermissionError(13, "Permission denied", str(file))
        real_zip_init(self, file, *args, **kwargs)

    monkeypatch.setattr(zipfile.ZipFile, "__init__", zip_init)
    rows = {r.path: r for r in process_batch(sources, OPTIONS)}
    assert_bad_row(rows[gone.name], ("error",), "見つかりません")
    assert_bad_row(rows[locked.name], ("error",), "権限がありません")
    assert_good_processed(rows)


UNREADABLE_SCRIPT = """
import json, sys
from pathlib import Path
from extractors.discover import discover
from extractors.registry import extract
out = []
for s in discover([Path(sys.argv[1])]):
    doc = extract(s)
    out.append([s.rel_path, doc.status.value, list(doc.errors)])
print(json.dumps(out, ensure_ascii=False))
"""


def test_unreadable_permissions(tmp_path: Path) -> None:
    """Tests run as root, who may read anything: the check runs in a child process without the
    CAP_DAC_OVERRIDE / CAP_DAC_READ_SEARCH capabilities (setpriv), where mode 000 really means unreadable."""
    import json
    import subprocess
    import sys

    setpriv = shutil.which("setpriv")
    if os.geteuid() != 0 or not setpriv:
        pytest.skip("needs root and setpriv to drop the capabilities")
    folder = tmp_path / "in"
    folder.mkdir()
    locked = make_docx(folder / "権限なし.docx")
    make_docx(folder / GOOD)
    locked.chmod(0)
    cmd = [setpriv, "--inh-caps=-dac_override,-dac_read_search",
           "--bounding-set=-dac_override,-dac_read_search", sys.executable, "-c", UNREADABLE_SCRIPT, str(folder)]
    root = Path(__file__).resolve().parents[1]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120, cwd=root)
    if proc.returncode != 0 and "setpriv" in proc.stderr:
        pytest.skip(f"setpriv cannot drop capabilities here: {proc.stderr.strip()[:200]}")
    assert proc.returncode == 0, proc.stderr[-2000:]
    found = {path: (status, errors) for path, status, errors in json.loads(proc.stdout.strip().splitlines()[-1])}
    assert found["権限なし.docx"] == ("failed", ["ファイルを読む権限がありません"])
    assert found[GOOD][0] == "ok"
