"""The form's name (様式名): a line like ○○申請書 / 届 / 誓約書 near the top, else the file stem."""

from __future__ import annotations

import re
from pathlib import PurePath

from classifiers.normalize import compact
from extractors.models import Document

TOP_LINES = 25
MAX_TITLE = 40
SUFFIX = re.compile(
    r"(申請書|申込書|届出書|届書|届|願書?|誓約書|契約書|委任状|同意書|承諾書|報告書|請求書|計画書|証明書|"
    r"依頼書|確認書|明細書|宣誓書|申立書|協定書|覚書|請書|入札書|見積書|領収書|通知書|登録書|調書|"
    r"一覧表?|名簿|書)$"
)
NOT_TITLE = re.compile(r"^(\(?(別記)?様式|別記|別紙|第\d+号|\(?第\d+条)|年\d*月\d*日|令和|平成|殿$|様$|宛$")
LEAD = re.compile(r"^(\(?(別記)?(様式|別記|別紙)(第)?[\d一二三四五六七八九十]*(号|の\d+)?(様式)?\)?(\(第[^)]*関係\))?)")
BULLET = re.compile(r"^[\d()（）①-⑳・※]+")


def _candidate(text: str) -> str | None:
    flat = compact(text)
    if not flat:
        return None
    flat = LEAD.sub("", flat)
    flat = BULLET.sub("", flat).strip("【】「」")
    if flat.startswith("(") and flat.endswith(")"):
        flat = flat[1:-1]
    if not flat or len(flat) > MAX_TITLE or NOT_TITLE.search(flat):
        return None
    base = re.sub(r"\([^()]*\)$", "", flat)  # 〇〇申請書(兼△△申込書)
    return flat if SUFFIX.search(base) or SUFFIX.search(flat) else None


def guess_title(document: Document, filename: str) -> str:
    """The first title-like line near the top (not 様式第1号, not the date); else the file stem."""
    for index, line in enumerate(document.lines()):
        if index >= TOP_LINES:
            break
        for cell in line.text.split("\t"):
            title = _candidate(cell)
            if title:
                return title
    return PurePath(filename).stem
