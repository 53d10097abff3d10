"""Generate forms with known input fields for bench/eval_fields.py (field extraction recall / precision / kinds).

    .venv/bin/python bench/gen_fields.py [--out bench/out/fields] [--n 120] [--seed 11]

Every form is a bench/gen_corpus.py form (each layout: docx tables and paragraphs, Word EQ fields, xlsx rows
and 記入例 / hidden sheets, text PDFs with and without ruled lines), whose generator records the fields it
prints (日付, 住所, the name field in each seal variant, 署名欄 …), plus a block of further fields drawn by its
own generator: table rows typed by their value cell (「　年　月　日」, 「　　円」, 「　人」), underlined blanks
(「電話番号：＿＿＿＿」), □ choices and yes/no, ※ / （必須） required marks, 【代理人】 groups and a 世帯員 table
with numbered rows. OUT/fields.jsonl: one {"file", "format", "fields": [{label, kind, required, group,
repeat, options}]} per form. Output is git-ignored (bench/out/); never commit it.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus_writers import write_docx, write_pdf, write_xlsx  # noqa: E402

SP = "\u3000"
# (label, kind, value cell): the value cell types the field the way forms print it
ROW_FIELDS = [("電話番号", "phone", ""), ("連絡先電話番号", "phone", ""), ("生年月日", "date", SP * 2 + "年" + SP * 2 + "月" + SP * 2 + "日"),
              ("交付申請額", "money", SP * 5 + "円"), ("金額", "money", SP * 6 + "円"), ("参加人数", "number", SP * 3 + "人"),
              ("電子メールアドレス", "text", ""), ("職業", "text", ""), ("使用目的", "text", ""), ("実施場所", "text", ""),
              ("所在地", "address", ""), ("法人名", "name", ""), ("使用期間", "date", "令和" + SP + "年" + SP + "月" + SP + "日から"),
              ("面積", "number", SP * 4 + "㎡"), ("事業の名称", "text", "")]
BLANK_FIELDS = [("電話番号", "phone"), ("フリガナ", "text"), ("勤務先", "text"), ("メールアドレス", "text"),
                ("郵便番号", "address"), ("申請額", "money"), ("世帯人数", "number")]
CHOICES = [("性別", ["男", "女"], "choice"), ("申請区分", ["新規", "変更", "廃止"], "choice"),
           ("市税の滞納の有無", ["有", "無"], "yesno"), ("通知の送付先", ["住所地", "勤務先", "その他"], "choice"),
           ("同意の有無", ["はい", "いいえ"], "yesno"), ("利用方法", ["窓口", "郵送", "電子申請"], "choice")]
GROUP_ROWS = [("住所", "address"), ("氏名", "name"), ("電話番号", "phone"), ("本人との関係", "text")]
MEMBER_COLUMNS = [("氏名", "name"), ("続柄", "text"), ("生年月日", "date"), ("職業", "text")]


def _required(rng: random.Random, label: str) -> tuple[str, bool]:
    roll = rng.random()
    if roll < 0.15:
        return "※" + label, True
    if roll < 0.25:
        return label + "（必須）", True
    return label, False


def _row_field(rng: random.Random, form) -> list:
    label, kind, value = rng.choice(ROW_FIELDS)
    printed, required = _required(rng, label)
    form.field(label, kind, required=required)
    return [("row", [printed, value, ""])]


def _blank_field(rng: random.Random, form) -> list:
    label, kind = rng.choice(BLANK_FIELDS)
    printed, required = _required(rng, label)
    form.field(label, kind, required=required)
    return [("para", printed + rng.choice(["：", "　"]) + rng.choice(["＿" * 12, "_" * 16, "…" * 10]))]


def _choice(rng: random.Random, form) -> list:
    label, options, kind = rng.choice(CHOICES)
    form.field(label, kind, options=options)
    boxes = SP.join("□" + o for o in options)
    return [rng.choice([("para", label + SP + boxes), ("row", [label, boxes, ""])])]


def _group(rng: random.Random, form) -> list:
    out: list = [("para", "【代理人】")]
    for label, kind in rng.sample(GROUP_ROWS, rng.randint(2, 4)):
        form.field(label, kind, group="代理人")
        out.append(("row", [label, "", ""]))
    return out


def _members(rng: random.Random, form) -> list:
    columns = MEMBER_COLUMNS[: rng.randint(2, 4)]
    rows = rng.randint(2, 5)
    out: list = [("para", "世帯員")]
    for label, kind in columns:
        form.field(label, kind, group="世帯員", repeat=rows)
    out.append(("row", [label for label, _ in columns]))
    out += [("row", [str(i)] + [""] * (len(columns) - 1)) for i in range(1, rows + 1)]
    return out


MAKERS = [_row_field, _row_field, _blank_field, _choice, _group, _members]


def field_block(rng: random.Random, form) -> list:
    """A few further fields after the applicant block (with a paragraph first, so they start a new table)."""
    items: list = [("para", "下記のとおり記入してください。")]
    for maker in rng.sample(MAKERS, rng.randint(2, 5)):
        if items[-1][0] == "row" and maker in (_row_field,):
            items.append(("para", "記入欄"))
        items += maker(rng, form)
    return items


def generate(out: Path, n: int, seed: int) -> Path:
    from gen_corpus import compose

    rng, fields_rng = random.Random(seed), random.Random(seed + 1)
    out.mkdir(parents=True, exist_ok=True)
    for old in [p for ext in ("docx", "xlsx", "pdf") for p in out.glob(f"*.{ext}")]:  # forms of an earlier run
        old.unlink()
    lines = []
    for fmt in ("docx", "xlsx", "pdf"):
        for i in range(n):
            form = compose(rng, fmt, fields_rng)
            name = f"{fmt}_{i:04d}_{form.variant}.{fmt}"
            path = out / name
            if fmt == "docx":
                write_docx(form.items, path)
            elif fmt == "xlsx":
                write_xlsx(form.items, path, form.extra_sheets)
            else:
                write_pdf(form.items, path, grid=rng.random() < 0.5)
            lines.append(json.dumps({"file": name, "format": fmt, "fields": form.fields}, ensure_ascii=False))
    target = out / "fields.jsonl"
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return target


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "out" / "fields")
    ap.add_argument("--n", type=int, default=120, help="forms per format")
    ap.add_argument("--seed", type=int, default=11)
    args = ap.parse_args(argv)
    target = generate(args.out, args.n, args.seed)
    print(f"wrote {3 * args.n} forms and {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
