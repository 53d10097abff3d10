"""What field extraction finds: immutable fields with their label, kind, group and location."""

from __future__ import annotations

from dataclasses import dataclass

# Field kinds (the e-form JSON's `kind`).
KINDS: tuple[str, ...] = ("text", "date", "number", "money", "yesno", "choice", "address", "name", "phone")
KIND_LABELS: dict[str, str] = {
    "text": "文字", "date": "日付", "number": "数値", "money": "金額", "yesno": "はい／いいえ",
    "choice": "選択", "address": "住所", "name": "氏名・名称", "phone": "電話番号",
}
# Why a form has no e-form (FieldSet.status other than "ok").
STATUS_OK, STATUS_UNREADABLE, STATUS_SCANNED, STATUS_EMPTY = "ok", "unreadable", "scanned", "no_fields"


@dataclass(frozen=True, slots=True)
class FormField:
    """One input field of a form.

    `repeat` is the number of rows of a repeated table (世帯員 1..5); 1 for a single field.
    `rule` is the id of the pattern that gave the kind (or the layout that made it a field).
    """

    id: str  # f001, f002 … in reading order
    label: str
    kind: str
    required: bool = False
    group: str | None = None  # 申請者, 代理人, 世帯員 …
    options: tuple[str, ...] = ()  # □ options of a choice / yes-no field
    repeat: int = 1
    location: str = ""  # 「p.1 表1 2行1列」「様式!A5」
    rule: str = ""
    note: str = ""  # what the label's brackets said: （自署）（ゴム印可）…

    def to_json(self) -> dict:
        out: dict = {"id": self.id, "label": self.label, "kind": self.kind, "required": self.required,
                     "group": self.group, "location": self.location, "rule": self.rule}
        if self.options:
            out["options"] = list(self.options)
        if self.repeat > 1:
            out["repeat"] = self.repeat
        if self.note:
            out["note"] = self.note
        return out


@dataclass(frozen=True)
class FieldSet:
    """All fields of one form, the form's notes for the applicant, and why there are none when there are none."""

    fields: tuple[FormField, ...] = ()
    notes: tuple[str, ...] = ()  # instructions to show on the e-form (※…、…してください。)
    identity_documents: tuple[str, ...] = ()  # the identity documents the form asks for (運転免許証 …)
    status: str = STATUS_OK
    why: str = ""  # Japanese, when status is not ok
    version: str = ""  # fields@<patterns version>

    @property
    def groups(self) -> tuple[str | None, ...]:
        seen: dict[str | None, None] = {}
        for f in self.fields:
            seen.setdefault(f.group, None)
        return tuple(seen)
