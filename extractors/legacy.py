"""Legacy formats (.doc .xls .rtf .odt .ods): LibreOffice headless converts them to docx / xlsx,
then the docx / xlsx extractor reads them. Each concurrent conversion has its own profile, a timeout
kills the whole process group, and the output is checked (exit code 0 proves nothing)."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import zipfile
from dataclasses import replace
from pathlib import Path

from extractors.models import Document, InputFormat, Location, Status, TextBlock, failed, scratch_dir
from extractors.office_profile import office_env, record_last_version

TIMEOUT_S = 120
TARGETS: dict[InputFormat, tuple[str, str, str]] = {
    # format: (input suffix, convert-to filter, output suffix)
    InputFormat.DOC: (".doc", "docx:MS Word 2007 XML", ".docx"),
    InputFormat.RTF: (".rtf", "docx:MS Word 2007 XML", ".docx"),
    InputFormat.ODT: (".odt", "docx:MS Word 2007 XML", ".docx"),
    InputFormat.XLS: (".xls", "xlsx:Calc MS Excel 2007 XML", ".xlsx"),
    InputFormat.ODS: (".ods", "xlsx:Calc MS Excel 2007 XML", ".xlsx"),
}
# Forced import filters: without one, LibreOffice "converts" random bytes as plain text.
IMPORT_FILTERS: dict[InputFormat, tuple[str, ...]] = {
    InputFormat.DOC: ("MS Word 97", "MS WinWord 6.0", "MS Word 95"),
    InputFormat.XLS: ("MS Excel 97", "MS Excel 95", "MS Excel 5.0/95"),
    InputFormat.RTF: ("Rich Text Format",),
    InputFormat.ODT: ("writer8",),
    InputFormat.ODS: ("calc8",),
}
NOT_CONVERTED = "旧形式のファイルを変換できませんでした（壊れているか、パスワードで保護されている可能性があります）"
TIMED_OUT = "旧形式のファイルの変換が制限時間（{seconds:g}秒）を超えたため中断しました"
NO_OFFICE = "LibreOffice が見つからないため旧形式のファイルを読み取れません"

_idle_profiles: list[Path] = []
_profiles_lock = threading.Lock()


class ConversionError(Exception):
    """LibreOffice could not produce a usable file (message in Japanese)."""


def soffice_binary() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def _take_profile(binary: str, timeout: float = TIMEOUT_S) -> Path:
    """A LibreOffice profile no other running conversion uses (reused afterwards: startup is slow); a new one
    records this LibreOffice's version, so its starts skip the graphics self-tests (extractors/office_profile.py).
    Asking the version is bounded by the conversion's `timeout` too: a LibreOffice that hangs is not waited for
    twice."""
    with _profiles_lock:
        if _idle_profiles:
            return _idle_profiles.pop()
    profile = Path(tempfile.mkdtemp(prefix=f"sealreview-lo-{os.getpid()}-"))
    record_last_version(profile, binary, timeout)
    return profile


def _give_back(profile: Path, healthy: bool) -> None:
    if not healthy:
        shutil.rmtree(profile, ignore_errors=True)
        return
    with _profiles_lock:
        _idle_profiles.append(profile)


def _run(cmd: list[str], env: dict[str, str], timeout: float) -> int:
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            stdin=subprocess.DEVNULL, start_new_session=True)
    try:
        return proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_group(proc)
        raise ConversionError(TIMED_OUT.format(seconds=timeout)) from None
    except BaseException:  # the per-file guard or Ctrl+C: never leave LibreOffice running
        _kill_group(proc)
        raise


def _kill_group(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait()


def convert(path: Path, fmt: InputFormat, out_dir: Path, timeout: float | None = None) -> Path:
    """Convert one legacy file into `out_dir`; returns the checked docx/xlsx path."""
    timeout = TIMEOUT_S if timeout is None else timeout
    binary = soffice_binary()
    if binary is None:
        raise ConversionError(NO_OFFICE)
    in_suffix, target, out_suffix = TARGETS[fmt]
    src = out_dir / f"input{in_suffix}"  # a plain name: LibreOffice chokes on odd characters
    shutil.copyfile(path, src)
    home = out_dir / "home"
    home.mkdir(exist_ok=True)
    env = office_env(home, out_dir)
    out = out_dir / f"input{out_suffix}"
    for import_filter in IMPORT_FILTERS[fmt]:
        _convert_once(binary, import_filter, target, src, env, timeout)
        if out.is_file() and out.stat().st_size:
            break
    _check_output(out, out_suffix)
    return out


def _convert_once(binary: str, import_filter: str, target: str, src: Path, env: dict, timeout: float) -> None:
    profile = _take_profile(binary, timeout)
    cmd = [binary, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--invisible", "--nologo",
           "--norestore", "--nodefault", "--nolockcheck", f"--infilter={import_filter}",
           "--convert-to", target, "--outdir", str(src.parent), str(src)]
    healthy = False
    try:
        _run(cmd, env, timeout)
        healthy = True
    finally:
        _give_back(profile, healthy)


def _check_output(out: Path, suffix: str) -> None:
    if not out.is_file() or out.stat().st_size == 0:
        raise ConversionError(NOT_CONVERTED)
    main = "word/document.xml" if suffix == ".docx" else "xl/workbook.xml"
    try:
        with zipfile.ZipFile(out) as zf:
            if main not in zf.namelist():
                raise ConversionError(NOT_CONVERTED)
    except zipfile.BadZipFile:
        raise ConversionError(NOT_CONVERTED) from None


def extract_legacy(path: Path, *, fmt: InputFormat, work_dir: Path | None = None, **kwargs: object) -> Document:
    from extractors.excel import extract_xlsx
    from extractors.word import extract_docx

    if fmt not in TARGETS:
        return failed(fmt, NOT_CONVERTED, extractor="legacy")
    with tempfile.TemporaryDirectory(prefix="sealreview-conv-", dir=scratch_dir(work_dir)) as tmp:
        try:
            out = convert(path, fmt, Path(tmp))
        except ConversionError as exc:
            # A corrupt file fails the same way every time; a missing LibreOffice or a timeout may not.
            return failed(fmt, str(exc), extractor="legacy", retry=str(exc) != NOT_CONVERTED)
        reader = extract_docx if out.suffix == ".docx" else extract_xlsx
        doc = reader(out, fmt=fmt)
    if doc.status is not Status.FAILED and not any(b.text.strip() for b in doc.blocks):
        return failed(fmt, "変換したファイルに文字がありませんでした（画像のみか、壊れている可能性があります）",
                      extractor="legacy")
    if fmt is InputFormat.DOC:
        doc = _add_doc_eq_fields(path, doc)
    return replace(doc, format=fmt, extractor=f"libreoffice+{doc.extractor}",
                   meta={**doc.meta, "converted_by": "libreoffice"})


_DOC_EQ = re.compile(r"\x13\s*eq\s[^\x13\x14\x15]*[\x14\x15]", re.IGNORECASE)
_FIELD_CODE = re.compile(r"\x13[^\x14\x15]*\x14|[\x13\x14\x15]")


def doc_eq_paragraphs(data: bytes) -> list[str]:
    """Paragraphs of a binary .doc that hold an EQ field, with the field shown as its text (○印).

    LibreOffice drops `eq \\o\\ac(○,印)` fields on import, but Word 97+ keeps field codes in the
    UTF-16 text of the WordDocument stream between 0x13 and 0x14/0x15 marks: read them there."""
    from extractors.word import eq_text

    found: list[str] = []
    for shift in (0, 1):
        text = data[shift:len(data) - ((len(data) - shift) % 2)].decode("utf-16-le", errors="replace")
        for match in _DOC_EQ.finditer(text):
            start = text.rfind("\r", 0, match.start()) + 1
            end = text.find("\r", match.end())
            end = end if end != -1 and end - match.end() < 500 else match.end()
            shown = eq_text(match.group(0).strip("\x13\x14\x15"))
            para = text[max(start, match.start() - 200):match.start()] + "\x00" + text[match.end():end]
            para = _FIELD_CODE.sub("", para).replace("\x00", shown)
            para = "".join(ch for ch in para if ch.isprintable() or ch in "\t\u3000")
            if shown and para.strip():
                found.append(para.strip())
    return list(dict.fromkeys(found))


def _add_doc_eq_fields(path: Path, doc: Document) -> Document:
    try:
        with path.open("rb") as fh:
            data = fh.read(32 * 1024 * 1024)
    except OSError:
        return doc
    extra = [p for p in doc_eq_paragraphs(data) if not any(p in b.text for b in doc.blocks)]
    if not extra:
        return doc
    blocks = [TextBlock(text=p, location=Location(kind="field")) for p in extra]
    return replace(doc, blocks=doc.blocks + tuple(blocks))
