"""OUT_DIR/review.html: one page per run for reviewers who work in a browser — every 要確認 row with its
picture, reason, evidence and links to the form and the draft. Rewritten (atomically) by every run; its links
are relative, like the workbook's (output/links.py). Writing only: nothing is decided here."""

from __future__ import annotations

from html import escape
from pathlib import Path

from output.atomic import atomic_write
from output.columns import evidence_text
from output.links import draft_href, href, source_href
from output.models import RegisterRow
from output.xlsx_sheets import jst

REVIEW_PAGE = "review.html"
STYLE = """
body { font-family: "IPAexGothic", "IPAexゴシック", "Hiragino Sans", "Yu Gothic", sans-serif; margin: 1.5em;
       color: #222; }
h1 { font-size: 1.4em; } .meta { color: #555; }
article { border: 1px solid #bbb; border-left: 6px solid #e69138; margin: 1em 0; padding: .6em 1em;
          page-break-inside: avoid; }
article h2 { font-size: 1.1em; margin: .2em 0; } dl { display: grid; grid-template-columns: 7em 1fr; gap: .2em 1em; }
dt { color: #555; } dd { margin: 0; white-space: pre-wrap; } img { max-width: 100%; border: 1px solid #ddd; }
.none { color: #888; }
"""


def write_review_page(rows: list[RegisterRow], out_dir: Path, *, run_info: dict) -> Path:
    out_dir = Path(out_dir)
    pending = [(n, row) for n, row in enumerate(rows, start=1) if row.decision == "needs_review"]
    started = jst(run_info.get("started"))
    parts = [
        "<!DOCTYPE html>", '<html lang="ja"><head><meta charset="utf-8">',
        "<title>要確認の様式 — 押印・署名の見直し</title>", f"<style>{STYLE}</style></head><body>",
        "<h1>要確認の様式（押印・署名の見直し）</h1>",
        f'<p class="meta">実行 {escape(started)}　基準日 {escape(str(run_info.get("as_of") or "不明"))}　'
        f'要確認 {len(pending)} 件／全 {len(rows)} 件　'
        f'台帳: <a href="register.xlsx">register.xlsx</a></p>',
    ]
    if not pending:
        parts.append("<p>要確認の様式はありません。</p>")
    parts += [_article(number, row, out_dir) for number, row in pending]
    parts.append("</body></html>")
    target = out_dir / REVIEW_PAGE
    atomic_write(target, lambda fh: fh.write("\n".join(parts) + "\n"), mode="w", encoding="utf-8", newline="\n")
    return target


def _link(target: str | None, text: str) -> str:
    return f'<a href="{escape(target)}">{escape(text)}</a>' if target else escape(text)


def _article(number: int, row: RegisterRow, out_dir: Path) -> str:
    form = source_href(row, out_dir)
    picture = href(out_dir / row.evidence_image, out_dir) if row.evidence_image else None
    draft = draft_href(row, out_dir)
    image = (f'<a href="{escape(picture)}"><img src="{escape(picture)}" alt="根拠箇所の画像"></a>' if picture
             else '<span class="none">（画像なし）</span>')
    items = [
        ("所管", escape(row.department or "")),
        ("ファイル", _link(form, row.path)),
        ("理由", escape(row.reason)),
        ("根拠箇所", escape(evidence_text(row.evidence))),
        ("画像", image),
    ]
    if draft:
        items.append(("修正案", _link(draft, row.revised_path or "")))
    if row.review_note:
        items.append(("備考", escape(row.review_note)))
    body = "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in items)
    return (f'<article id="row-{number}"><h2>No.{number}　{_link(form, row.title or row.path)}</h2>'
            f"<dl>{body}</dl></article>")
