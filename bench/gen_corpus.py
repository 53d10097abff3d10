"""Generate a labelled corpus of synthetic forms for bench/eval_detect.py (not the shipped examples).

    .venv/bin/python bench/gen_corpus.py [--out bench/corpus] [--n 120] [--seed 7]

Writes N forms per format (.docx, .xlsx, .pdf) and `labels.tsv` (file, format, seal_requested,
seal_kinds, signature_required, location, variant). Each form mixes a title, a preamble, an applicant
block, a seal variant (marks, instructions, kinds, conditionals, negations, alternatives), a signature
variant and 0-4 confusers (印刷, 矢印, 収入印紙, 受付印 boxes, 公印省略, ○印をつけて…), placed in
tables, body text, Word EQ fields, Excel 記入例 or hidden sheets. Deterministic for a given seed.
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus_writers import write_docx, write_pdf, write_xlsx  # noqa: E402

SP = "\u3000"
TITLES = ["補助金交付申請書", "道路占用許可申請書", "住所変更届", "使用許可申請書", "誓約書", "同意書", "委任状",
          "事業計画変更承認申請書", "届出事項変更届", "廃止届", "承諾書", "実績報告書", "利用申込書", "請求書",
          "入札書", "工事請負契約書", "口座振替依頼書", "証明願", "申出書", "登録申請書"]
PREAMBLES = ["次のとおり申請します。", "下記のとおり届け出ます。", "上記のとおり相違ありません。",
             "私は、下記の者を代理人と定め、次の権限を委任します。", "関係書類を添えて申し込みます。"]
NAME_LABELS = ["氏名", "申請者氏名", "代表者氏名", "届出人", "申込者", "委任者 氏名", "代表者の役職・氏名",
               "氏名又は名称", "請求者", "入札者"]
MARKS = ["印", "㊞", "（印）", "〔印〕", "○印", "印"]
INSTRUCTIONS = ["上記の欄に記名押印してください。", "※申請者本人が押印してください。", "ご捺印の上、提出してください。",
                "代表者が押印すること。", "届出人の印を押してください。", "押印欄に押印のこと。",
                "押印がない場合は受理できません。", "押印のない申請書は受け付けません。", "※押印を忘れずにお願いします。",
                "押印をお願いします。", "申請書には必ず押印すること。", "はんこを押してください。", "印鑑を押してください。",
                "押印されていない書類は無効となります。", "申請者欄に押印の上、ご提出ください。"]
KINDS = [("実印を押印し、印鑑登録証明書（発行後3か月以内）を添付してください。", "jitsuin"),
         ("代表者印を押印してください。", "daihyo"), ("金融機関お届け印を押してください。", "bank"),
         ("各ページに契印すること。", "keiin"), ("正副2通に割印をしてください。", "wariin"),
         ("認印で可。", "mitome"), ("印鑑証明書と同じ印（実印）で押印してください。", "jitsuin")]
NEGATIONS = ["※押印は不要です。", "押印を省略することができます。", "（※押印は任意）", "本様式への押印は廃止しました。",
             "押印の必要はありません。", "※押印不要", "押印しないでください。", "押印は要しません。",
             "押印欄を削除しました。", "はんこは不要です。", "押印のない申請書でも受け付けます。",
             "ハンコを押す必要はありません。", "申請者の押印は求めません。", "押印等を不要としました。"]
SIGNATURES = [("（自署）", "name"), ("署名欄", "row"), ("ご署名ください。", "para"), ("本人が署名してください。", "para"),
              ("こちらにサインしてください。", "para"), ("自筆で記入してください。", "para"),
              ("本人の署名をお願いします。", "para"), ("（本人自署）", "name"), ("サイン欄", "row")]
NOT_SIGNATURES = ["署名は不要です。", "署名の必要はありません。", "サインインしてから入力してください。", "記名のみで可。", "電子署名を付与して提出することもできます。",
                  "氏名は記名（ワープロ印字可）で可。"]
CONFUSERS = ["両面印刷で提出してください。", "※矢印の方向に記入してください。", "収入印紙（200円）貼付欄　※消印しないこと",
             "（公印省略）", "該当するものに○印をつけてください。", "目印として付箋を貼ってください。",
             "印鑑登録証明書交付申請書は別にあります。", "氏名（ゴム印可）", "デザインの変更は不可。",
             "第一印象を記入", "インターネットから印字したものでも可。"]
DRAWN_STYLES = ["empty", "dotted", "in", "jitsuin", "square", "cell", "ellipse"]
ISSUER_LINES = ["上記のとおり証明する。\u3000〇〇警察署長\u3000印", "〇〇市長\u3000〇〇\u3000〇〇\u3000㊞（公印）",
                "証明者\u3000〇〇区長\u3000職印", "（公印）"]
# Sentences about another document, with the word that names it: never drawn on a form of that name (a
# 委任状 saying 「委任状には…押印が必要です」 is speaking of itself).
OTHER_DOC = [("委任状には委任者の押印が必要です。", "委任状"), ("契約締結時には実印及び印鑑登録証明書が必要です。", "契約"),
             ("別紙の誓約書には代表者印を押印してください。", "別紙"), ("請求書には届出印の押印が必要となります。", "請求書")]
STAMP_GRIDS = [["局長", "部長", "次長", "課長"], ["所長", "副所長", "係長", "担当"]]
OFFICE_ROWS = [["受付印", "確認印", "担当印"], ["※受付", "決裁", "担当"], ["市使用欄", "検印", ""]]


@dataclass
class Form:
    items: list = field(default_factory=list)
    extra_sheets: list = field(default_factory=list)
    seal: bool = False
    kinds: set = field(default_factory=set)
    signature: bool = False
    location: str = "none"
    variant: str = "none"
    fields: list = field(default_factory=list)  # the form's input fields (gen_fields.py's ground truth)

    def field(self, label: str, kind: str, **extra) -> None:
        """Record an input field: label as printed (spaces are not part of it), kind, required/group/repeat/options."""
        self.fields.append({"label": label.replace(SP, "").replace(" ", ""), "kind": kind, **extra})


def _name_row(rng: random.Random, mark: str = "", sig: str = "", form: Form | None = None) -> list[str]:
    label = rng.choice(NAME_LABELS)
    if form is not None:
        form.field(label, "name")
    return [label + sig, rng.choice(["", "山田　太郎", "株式会社〇〇 代表取締役 〇〇"]), mark]


def _seal(rng: random.Random, form: Form, fmt: str) -> list:
    """The applicant block with one seal variant; sets the labels."""
    variant = rng.choice(["none", "mark", "mark", "mark_body", "eq", "instruction", "kind", "alt", "negated",
                          "negated", "inconsistent", "example_only", "hidden_only", "wrap", "spaced", "drawn",
                          "drawn", "negated_cells", "mitome_ng"])
    if variant == "drawn" and fmt != "pdf":
        variant = "mark"
    if variant == "eq" and fmt == "pdf":
        variant = "mark_body"
    if variant in ("example_only", "hidden_only") and fmt != "xlsx":
        variant = "mark"
    form.variant = variant
    block = [("row", ["住所", "〇〇市〇〇町1-2-3", ""])]
    form.field("住所", "address")
    if variant in ("mark", "inconsistent"):
        block.append(("row", _name_row(rng, rng.choice(MARKS), form=form)))
        form.seal, form.location = True, "table"
    elif variant == "mark_body":
        label = rng.choice(NAME_LABELS)
        form.field(label, "name")
        block.append(("para", label + SP * rng.randint(4, 12) + rng.choice(MARKS)))
        form.seal, form.location = True, "body"
    elif variant == "wrap":  # the mark wrapped onto the next row, as LibreOffice/PDF layouts do
        block += [("row", _name_row(rng, form=form)), ("row", ["", "", rng.choice(MARKS)])]
        form.seal, form.location = True, "table"
    elif variant == "spaced":  # 氏　　名 spread out, half-width brackets
        label = SP.join(rng.choice(["氏名", "申請者", "代表者"]))
        form.field(label, "name")
        block.append(("para", label + "  " + rng.choice(["(印)", "印", "[印]", "㊞"])))
        form.seal, form.location = True, "body"
    elif variant == "drawn":  # a seal circle or square drawn as a graphic, empty or holding 印 / 実印
        style = rng.choice(DRAWN_STYLES)
        block.append(("drawnseal", (rng.choice(NAME_LABELS), style)))
        form.seal, form.location = True, f"drawn_{style}"
        if style == "jitsuin":
            form.kinds.add("jitsuin")
    elif variant == "mitome_ng":  # 認印不可 asks for a registered seal
        block.append(("row", _name_row(rng, "印")))
        block.append(("para", rng.choice(["※認印不可", "（認印は不可）", "認め印は使用できません。"])))
        form.seal, form.location = True, "table"
        form.kinds.add("jitsuin")
    elif variant == "eq":
        label = rng.choice(NAME_LABELS)
        form.field(label, "name")
        block.append(("eqseal", label))
        form.seal, form.location = True, "field"
    elif variant not in ("wrap",):
        block.append(("row", _name_row(rng, form=form)))
    if variant == "instruction":
        block.append(("para", rng.choice(INSTRUCTIONS)))
        form.seal, form.location = True, "body"
    elif variant == "kind":
        text, kind = rng.choice(KINDS)
        block.append(("para", text))
        form.seal, form.location = True, "body"
        form.kinds.add(kind)
    elif variant == "alt":
        form.fields.pop()  # the name row is drawn again with its alternative
        block[-1] = ("row", _name_row(rng, "印", rng.choice(["（署名又は記名押印）", "（※自署または記名捺印）"]), form))
        form.seal, form.signature, form.location = True, True, "table"
    elif variant in ("negated", "inconsistent"):
        block.append(("para", rng.choice(NEGATIONS)))
    elif variant == "negated_cells":  # 押印｜不要 split over two cells
        block.append(("row", ["押印", "不要", ""]))
    elif variant in ("example_only", "hidden_only"):
        hidden = variant == "hidden_only"
        form.extra_sheets.append(("記入例" if not hidden else "旧様式", [("row", _name_row(rng, "㊞"))], hidden))
        form.location = "example_sheet" if not hidden else "hidden_sheet"
    if form.seal and not form.kinds:
        form.kinds.add("mitome")
    return block


def _signature(rng: random.Random, form: Form, block: list) -> None:
    roll = rng.random()
    if roll < 0.3:
        text, where = rng.choice(SIGNATURES)
        form.signature = True
        if where == "name":
            label = rng.choice(NAME_LABELS)
            form.field(label, "name")
            block.append(("row", [label + text, "", ""]))
        elif where == "row":
            form.field(text, "name")
            block.append(("row", [text, "", ""]))
        else:
            block.append(("para", text))
    elif roll < 0.45:
        block.append(("para", rng.choice(NOT_SIGNATURES)))


def compose(rng: random.Random, fmt: str, fields_rng: random.Random | None = None) -> Form:
    """One form. With `fields_rng`, a block of further input fields (gen_fields.py) follows the applicant
    block; it draws from its own generator, so the rest of the form is the same as without it."""
    form = Form()
    title = rng.choice(TITLES)
    items: list = []
    if fmt == "docx" and rng.random() < 0.3:
        items.append(("header", "様式第" + str(rng.randint(1, 20)) + "号（第" + str(rng.randint(2, 9)) + "条関係）"))
    items += [("para", title), ("para", "令和" + SP + "年" + SP + "月" + SP + "日"), ("para", "〇〇市長　様"),
              ("para", rng.choice(PREAMBLES))]
    form.field("日付", "date")
    block = _seal(rng, form, fmt)
    _signature(rng, form, block)
    items += block
    if fields_rng is not None:
        from gen_fields import field_block

        items += field_block(fields_rng, form)
    for text in rng.sample(CONFUSERS, rng.randint(0, 4)):
        items.append(("para", text))
        if text.startswith("氏名（"):
            form.field("氏名", "name")
    if rng.random() < 0.4:
        office = rng.choice(OFFICE_ROWS)
        items += [("para", "（以下は記入しないでください）"), ("row", office), ("row", ["印" if c else "" for c in office]
                                                               if office[0].startswith("※") else ["", "", ""])]
    _not_applicant(rng, title, items, fmt)
    form.items = items
    return form


def _not_applicant(rng: random.Random, title: str, items: list, fmt: str) -> None:
    """Seals that are no request to the applicant: the issuer's, a staff stamp grid, another document's."""
    if rng.random() < 0.2:
        items.append(("para", rng.choice(ISSUER_LINES)))
    if rng.random() < 0.2:
        grid = rng.choice(STAMP_GRIDS)
        items += [("row", grid), ("stampgrid" if fmt == "pdf" else "row", ["印"] * len(grid) if fmt != "pdf" else grid)]
    if rng.random() < 0.2:
        items.append(("para", rng.choice([text for text, word in OTHER_DOC if word not in title])))
    if fmt == "pdf" and rng.random() < 0.2:
        items.append(("radio", "郵送希望"))


def generate(out: Path, n: int, seed: int) -> Path:
    rng = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    rows = []
    for fmt in ("docx", "xlsx", "pdf"):
        for i in range(n):
            form = compose(rng, fmt)
            name = f"{fmt}_{i:04d}_{form.variant}.{fmt}"
            path = out / name
            if fmt == "docx":
                write_docx(form.items, path)
            elif fmt == "xlsx":
                write_xlsx(form.items, path, form.extra_sheets)
            else:
                write_pdf(form.items, path, grid=rng.random() < 0.5)
            rows.append([name, fmt, "yes" if form.seal else "no", ",".join(sorted(form.kinds)),
                         "yes" if form.signature else "no", form.location, form.variant])
    return write_labels(out, rows)


LABEL_COLUMNS = ["file", "format", "seal_requested", "seal_kinds", "signature_required", "location", "variant"]


def write_labels(out: Path, rows: list[list[str]]) -> Path:
    """OUT/labels.tsv: one row per generated form (the corpus generators share these columns)."""
    labels = out / "labels.tsv"
    with labels.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, delimiter="\t", lineterminator="\n")
        writer.writerow(LABEL_COLUMNS)
        writer.writerows(rows)
    return labels


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "corpus")
    ap.add_argument("--n", type=int, default=120, help="forms per format")
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args(argv)
    labels = generate(args.out, args.n, args.seed)
    print(f"wrote {3 * args.n} forms and {labels}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
