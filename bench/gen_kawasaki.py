"""Generate a Kawasaki-scale corpus: 4,508 labelled forms in 局/課 folders (for bench/bench_scale.py).

    .venv/bin/python bench/gen_kawasaki.py --out /tmp/kawasaki [--n 4508] [--seed 2021] [--jobs 2]

About 40% .docx, 30% .xlsx, 30% .pdf; one to three pages each. Every form is a form from
bench/gen_corpus.py (title, applicant block with a seal variant, signature variant, confusers,
office-use rows) plus what a real city form carries: a 様式第N号（第M条関係） line, a legal basis
(national law, city 規則/条例/要綱, or none), a 記 section with numbered items, sometimes a cost
table, 注意事項 and prose (pledges, personal-data notes) up to the page count. Density: ≈550
non-space characters per PDF page, ≈850 per form (the real corpus: ≈840 per PDF page). Form i depends only on (seed, i), so parallel generation is
deterministic. Forms go under OUT/forms/局/課/; OUT/labels.tsv has (path, format, department, pages, seal/kinds/signature
labels, variant, basis). Default output: bench/out/kawasaki (git-ignored), never commit it.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus_writers import write_docx, write_pdf, write_xlsx  # noqa: E402
from gen_corpus import compose  # noqa: E402

DEPARTMENTS: dict[str, list[str]] = {
    "総務企画局": ["庶務課", "契約課", "人事課", "情報管理課", "危機管理室"],
    "財政局": ["資産運用課", "市民税課", "固定資産税課", "収納対策課"],
    "市民文化局": ["市民活動推進課", "地域安全推進課", "市民スポーツ室", "戸籍住民サービス課"],
    "こども未来局": ["保育課", "こども家庭課", "青少年支援室", "幼児教育担当"],
    "健康福祉局": ["高齢者在宅サービス課", "障害福祉課", "生活衛生課", "保険年金課", "地域包括ケア推進室"],
    "まちづくり局": ["住宅整備推進課", "建築審査課", "開発審査課", "交通政策室"],
    "建設緑政局": ["道路管理課", "用地課", "みどりの協働推進課", "河川課"],
    "環境局": ["減量推進課", "環境対策課", "地球環境推進室", "廃棄物指導課"],
    "経済労働局": ["産業振興部", "労働雇用推進課", "農業振興課", "観光プロモーション推進課"],
    "港湾局": ["港湾経営部", "川崎港管理センター"],
    "上下水道局": ["給水装置課", "料金課", "下水道管路課"],
    "消防局": ["予防課", "危険物課", "警防課"],
    "教育委員会事務局": ["学事課", "生涯学習推進課", "教職員課", "健康給食推進室"],
    "会計室": ["審査課", "出納課"],
    "川崎区役所": ["区民課", "保険年金課", "道路公園センター"],
    "中原区役所": ["区民課", "地域振興課"],
    "麻生区役所": ["区民課", "地域ケア推進課"],
}
TOPICS = ["中小企業", "商店街", "住宅改修費", "介護予防", "保育所", "放課後児童", "道路占用", "公園占用", "ごみ集積所",
          "太陽光発電設備", "防火対象物", "危険物", "給水装置", "下水道排水設備", "市民活動", "スポーツ施設", "市営住宅",
          "生活保護", "児童手当", "障害者手帳", "狂犬病予防", "食品衛生", "屋外広告物", "開発行為", "学校施設"]
# (text of the basis, label). Citations as city forms print them.
BASES: list[tuple[str, str]] = [
    ("川崎市補助金等の交付に関する規則第5条", "city_rule"), ("川崎市{topic}事業補助金交付要綱第6条", "city_youkou"),
    ("川崎市{topic}事業実施要綱第4条", "city_youkou"), ("川崎市手数料条例第2条", "city_ordinance"),
    ("川崎市印鑑条例第3条", "city_inkan"), ("地方自治法第234条第5項", "contract"), ("地方自治法第238条の4第7項", "national"),
    ("雇用保険法施行規則第6条", "national"), ("不動産登記令第18条", "national"), ("道路法第32条", "national"),
    ("廃棄物の処理及び清掃に関する法律第7条", "national"), ("消防法第17条の3の2", "national"),
    ("戸籍法施行規則附録第12号様式", "national"), ("商業登記法第20条", "national"),
]
NOTES = ["記入欄が不足する場合は、別紙に記入して添付してください。", "該当する項目の□にレ点を記入してください。",
         "この申請書に記載された個人情報は、本事務以外の目的には使用しません。", "提出先：所管課窓口（郵送可）",
         "添付書類：事業計画書、収支予算書、位置図", "内容について確認のため、担当者から連絡することがあります。",
         "両面印刷で提出してください。", "黒のボールペンで記入し、消せるボールペンは使用しないでください。",
         "消防署又は警察署への届出が別途必要な場合があります。", "審査の結果は、後日書面で通知します。",
         "判断に迷う場合は、担当課にお問い合わせください。", "書類に不備がある場合は受理できません。",
         "代理人が申請する場合は、委任状を添付してください。", "写しを保管してください。"]
# Prose as city forms print it (notes, pledges, personal data); wrapped into lines of LINE_CHARS. It brings
# the text density to that of the real corpus (≈800 non-space characters per PDF page).
PROSE = ["この申請書に記載された個人情報は、川崎市個人情報保護条例の規定に基づき適正に管理し、本事務の処理以外の目的には使用しません。",
         "申請内容に虚偽の記載があった場合、又は不正の手段により交付を受けた場合は、交付決定の全部又は一部を取り消し、既に交付した額の返還を求めることがあります。",
         "事業の内容を変更しようとするとき、又は事業を中止し、若しくは廃止しようとするときは、あらかじめ市長の承認を受けなければなりません。",
         "事業が完了したときは、完了の日から起算して三十日を経過した日又は当該年度の三月三十一日のいずれか早い日までに実績報告書を提出してください。",
         "私は、暴力団員による不当な行為の防止等に関する法律第二条第六号に規定する暴力団員ではなく、かつ、暴力団又は暴力団員と密接な関係を有していないことを誓約します。",
         "市税に滞納がないことを確認するため、市が私の市税の納付状況を調査することに同意します。",
         "提出された書類は返却しません。必要な場合は、提出前に写しをとって保管してください。",
         "記入例を参考に、黒のボールペンで楷書により記入してください。訂正する場合は二重線で消して、その上に正しく記入してください。",
         "郵送により申請する場合は、返信用封筒（宛先を記入し、所定の郵便切手を貼付したもの）を同封してください。",
         "この届出は、変更があった日から十四日以内に行ってください。期限を過ぎた場合は、理由書の提出を求めることがあります。",
         "補助対象経費は、補助事業の実施に直接必要な経費とし、消費税及び地方消費税相当額は補助対象経費から除きます。",
         "審査の結果、交付の決定をしたときは交付決定通知書により、交付しないことを決定したときは不交付決定通知書により通知します。",
         "使用料は、使用許可書の交付の際に納付してください。既に納付した使用料は、市長が特別の理由があると認める場合を除き還付しません。",
         "施設の使用に当たっては、係員の指示に従い、火災、盗難その他の事故の防止に努めてください。",
         "申請者が法人の場合は、登記事項証明書（発行後三か月以内のもの）を添付してください。",
         "代理人が手続をする場合は、代理人の本人確認書類（運転免許証、マイナンバーカード等）を提示してください。"]
LINE_CHARS = 45  # fits an A4 line at 10.5 pt
ITEMS = ["事業の名称", "事業の目的", "実施場所", "実施期間", "経費の総額", "補助金交付申請額", "担当者氏名",
         "連絡先電話番号", "電子メールアドレス", "添付書類", "変更の理由", "変更前", "変更後", "使用目的", "使用期間"]
COSTS = ["報償費", "旅費", "需用費（消耗品費）", "需用費（印刷製本費）", "役務費（通信運搬費）", "委託料", "使用料及び賃借料",
         "備品購入費", "工事請負費", "負担金"]
ITEMS_PER_PAGE = 33  # the PDF writer fits 33 items on an A4 page


def _mix(fmt_roll: float) -> str:
    return "docx" if fmt_roll < 0.4 else "xlsx" if fmt_roll < 0.7 else "pdf"


def _basis(rng: random.Random, topic: str) -> tuple[str, str]:
    if rng.random() < 0.35:
        return "", "none"
    text, label = rng.choice(BASES)
    return text.format(topic=topic), label


def _filler(rng: random.Random, pages: int, used: int) -> list:
    """記 items, notes and a cost table, until about `pages` pages are filled."""
    target = max(0, pages * ITEMS_PER_PAGE - used - rng.randint(2, 10))
    out: list = [("para", "記")]
    for n, item in enumerate(rng.sample(ITEMS, min(rng.randint(3, 8), max(3, target // 3))), 1):
        out.append(("row", [f"{n}　{item}", "", ""]))
    if target > 20 and rng.random() < 0.5:
        out.append(("row", ["経費区分", "金額（円）", "備考"]))
        out += [("row", [c, f"{rng.randint(1, 900) * 1000:,}", ""]) for c in rng.sample(COSTS, rng.randint(3, 8))]
    out.append(("para", "注意事項"))
    for k, note in enumerate(rng.sample(NOTES, rng.randint(2, 5)), 1):
        out.append(("para", f"{k}　{note}"))
    prose = rng.sample(PROSE, len(PROSE))
    while prose and len(out) < target:
        out += [("para", line) for line in _wrap(prose.pop())]
    return out


def _wrap(text: str, width: int = LINE_CHARS) -> list[str]:
    return [text[i : i + width] for i in range(0, len(text), width)]


def build(seed: int, index: int) -> tuple[str, list, list, bool, dict]:
    """Form `index`: (format, items, extra sheets, pdf grid, labels). Depends only on (seed, index)."""
    rng = random.Random(f"{seed}:{index}")
    fmt = _mix(rng.random())
    department = rng.choice(sorted(DEPARTMENTS))
    section = rng.choice(DEPARTMENTS[department])
    topic = rng.choice(TOPICS)
    form = compose(rng, fmt)
    basis, basis_kind = _basis(rng, topic)
    title = topic + form.items[0][1] if rng.random() < 0.6 and form.items[0][0] == "para" else None
    items = list(form.items)
    if title and items[0][0] == "para":
        items[0] = ("para", title)
    elif form.items[0][0] == "header":  # gen_corpus put a 様式 header first; the title is second
        title = items[1][1]
    title = title or items[0][1]
    style = f"様式第{rng.randint(1, 30)}号（第{rng.randint(2, 12)}条関係）"
    if basis and rng.random() < 0.5:
        style = f"様式第{rng.randint(1, 30)}号（{basis}関係）"
        basis_line = None
    else:
        basis_line = f"この{title[-3:]}は、{basis}の規定により提出するものです。" if basis else None
    items.insert(0, ("para", style))
    if basis_line:
        items.insert(min(len(items), 5), ("para", basis_line))
    pages = rng.choice([1, 1, 1, 2, 2, 3])
    items += _filler(rng, pages, len(items))
    name = f"{index:05d}_{title.replace('/', '・')}.{fmt}"
    labels = {"file": f"{department}/{section}/{name}", "format": fmt, "department": department, "pages": pages,
              "seal_requested": "yes" if form.seal else "no", "seal_kinds": ",".join(sorted(form.kinds)),
              "signature_required": "yes" if form.signature else "no", "variant": form.variant,
              "basis": basis, "basis_kind": basis_kind}
    return fmt, items, form.extra_sheets, rng.random() < 0.5, labels


def write_range(out: str, seed: int, start: int, stop: int) -> list[dict]:
    rows = []
    for index in range(start, stop):
        fmt, items, extra, grid, labels = build(seed, index)
        path = Path(out) / "forms" / labels["file"]
        path.parent.mkdir(parents=True, exist_ok=True)
        if fmt == "docx":
            write_docx(items, path)
        elif fmt == "xlsx":
            write_xlsx(items, path, extra)
        else:
            write_pdf(items, path, grid=grid)
        rows.append(labels)
    return rows


def fingerprint(n: int, seed: int) -> str:
    """Changes when the generator code or its arguments change (bench_scale regenerates then)."""
    import hashlib

    here = Path(__file__).resolve().parent
    digest = hashlib.sha256(f"{n}:{seed}".encode())
    for name in ("gen_kawasaki.py", "gen_corpus.py", "corpus_writers.py"):
        digest.update((here / name).read_bytes())
    return digest.hexdigest()[:16]


def generate(out: Path, n: int, seed: int, jobs: int) -> tuple[Path, list[dict]]:
    out.mkdir(parents=True, exist_ok=True)
    chunk = 100
    ranges = [(i, min(n, i + chunk)) for i in range(0, n, chunk)]
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        parts = pool.map(write_range, [str(out)] * len(ranges), [seed] * len(ranges),
                         [a for a, _ in ranges], [b for _, b in ranges])
        rows = [row for part in parts for row in part]
    labels = out / "labels.tsv"
    with labels.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]), delimiter="\t", lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    (out / "FINGERPRINT").write_text(fingerprint(n, seed) + "\n", encoding="utf-8")
    return labels, rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "out" / "kawasaki")
    ap.add_argument("--n", type=int, default=4508, help="number of forms (Kawasaki: 4,508)")
    ap.add_argument("--seed", type=int, default=2021)
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="generator processes")
    args = ap.parse_args(argv)
    started = time.perf_counter()
    labels, rows = generate(args.out, args.n, args.seed, args.jobs)
    by_fmt = {f: sum(r["format"] == f for r in rows) for f in ("docx", "xlsx", "pdf")}
    seals = sum(r["seal_requested"] == "yes" for r in rows)
    print(f"{len(rows)} forms ({by_fmt}), {seals} ask for a seal, {len({r['department'] for r in rows})} 局 "
          f"→ {args.out / 'forms'} ({labels.name}) in {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
