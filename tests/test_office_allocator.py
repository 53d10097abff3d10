"""LibreOffice runs with jemalloc when the system has it (extractors/office_profile.office_env), with the real
LibreOffice: the soffice.bin of an evidence-picture batch and of a legacy conversion has libjemalloc mapped; without
the library (or with SEALREVIEW_LIBREOFFICE_JEMALLOC=0) it runs on glibc's malloc and prints the same picture."""

import os
import subprocess
import threading
from pathlib import Path

import docx
import pypdfium2 as pdfium
import pytest

from extractors import legacy, office_profile
from extractors.models import InputFormat
from output.evidence import office_pdf

pytestmark = pytest.mark.skipif(office_pdf.soffice() is None, reason="LibreOffice not installed")
needs_jemalloc = pytest.mark.skipif(office_profile.preloadable(office_profile.JEMALLOC) is None,
                                    reason="libjemalloc2 not installed (.ci/setup installs it)")


def form(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    document = docx.Document()
    document.add_paragraph("申請者　住所　氏名　　　　　　　　印")
    document.add_paragraph("上記のとおり申請します。")
    document.save(folder / "申請書.docx")
    return folder / "申請書.docx"


def soffice_libraries(marker: str, work) -> tuple[object, set[str] | None]:
    """(what `work()` returns, the shared objects mapped by the soffice.bin whose command line holds `marker`
    while `work` ran; None when no such process was seen)."""
    seen: set[str] | None = None
    done = threading.Event()

    def watch() -> None:
        nonlocal seen
        while not done.is_set():
            for pid in filter(str.isdigit, os.listdir("/proc")):
                try:
                    cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
                    if "soffice.bin" not in cmdline or marker not in cmdline:
                        continue
                    maps = Path(f"/proc/{pid}/maps").read_text()
                except OSError:
                    continue
                seen = (seen or set()) | {line.split()[-1] for line in maps.splitlines() if ".so" in line}
            done.wait(0.005)

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        result = work()
    finally:
        done.set()
        watcher.join()
    return result, seen


def pixels(pdf: Path) -> bytes:
    document = pdfium.PdfDocument(pdf)
    try:
        return document[0].render(scale=1).to_pil().convert("L").tobytes()
    finally:
        document.close()


def jemalloc_in(libraries: set[str]) -> bool:
    return any("libjemalloc" in Path(name).name for name in libraries)


@needs_jemalloc
def test_evidence_batches_run_libreoffice_on_jemalloc_and_print_the_same_picture_without_it(tmp_path, monkeypatch):
    source = form(tmp_path / "in")
    monkeypatch.delenv("LD_PRELOAD", raising=False)
    monkeypatch.delenv(office_profile.NO_JEMALLOC, raising=False)
    done, libraries = soffice_libraries(str(tmp_path / "w1"), lambda: office_pdf.to_pdfs([source], tmp_path / "w1"))
    assert libraries is not None and jemalloc_in(libraries)
    monkeypatch.setenv(office_profile.NO_JEMALLOC, "0")
    plain, libraries = soffice_libraries(str(tmp_path / "w2"), lambda: office_pdf.to_pdfs([source], tmp_path / "w2"))
    assert libraries is not None and not jemalloc_in(libraries)
    assert pixels(done[source]) == pixels(plain[source])


def test_without_the_library_libreoffice_keeps_glibc_malloc(tmp_path, monkeypatch):
    source = form(tmp_path / "in")
    monkeypatch.delenv("LD_PRELOAD", raising=False)
    monkeypatch.delenv(office_profile.NO_JEMALLOC, raising=False)
    monkeypatch.setattr(office_profile, "JEMALLOC", "sealreview-no-such-allocator")
    assert "LD_PRELOAD" not in office_profile.office_env(tmp_path, tmp_path)
    done, libraries = soffice_libraries(str(tmp_path / "w"), lambda: office_pdf.to_pdfs([source], tmp_path / "w"))
    assert libraries is not None and not jemalloc_in(libraries)
    assert done[source].read_bytes()[:5] == b"%PDF-"


def test_a_preload_already_set_is_left_alone(tmp_path, monkeypatch):
    monkeypatch.setenv("LD_PRELOAD", "/opt/site/libsite.so")
    env = office_profile.office_env(tmp_path / "home", tmp_path)
    assert env["LD_PRELOAD"] == "/opt/site/libsite.so"
    assert (env["HOME"], env["TMPDIR"], env["SAL_USE_VCLPLUGIN"]) == (str(tmp_path / "home"), str(tmp_path), "svp")


@needs_jemalloc
def test_legacy_conversions_run_libreoffice_on_jemalloc(tmp_path, monkeypatch):
    monkeypatch.delenv("LD_PRELOAD", raising=False)
    monkeypatch.delenv(office_profile.NO_JEMALLOC, raising=False)
    source = form(tmp_path / "in")
    made = tmp_path / "legacy"
    subprocess.run([office_pdf.soffice(), f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}", "--headless",
                    "--convert-to", "doc:MS Word 97", "--outdir", str(made), str(source)],
                   env={**os.environ, "HOME": str(tmp_path)}, capture_output=True, timeout=180, check=True)
    out_dir = tmp_path / "conversion"
    out_dir.mkdir()
    converted, libraries = soffice_libraries(
        f"sealreview-lo-{os.getpid()}-", lambda: legacy.convert(made / "申請書.doc", InputFormat.DOC, out_dir))
    assert converted.suffix == ".docx"
    assert libraries is not None and jemalloc_in(libraries)
