"""The HTML preview of one e-form: what the online form would look like, with where each field came from.

Self-contained (inline CSS, no script), every text escaped. Inputs by kind: 日付 → date, 金額 → number + 円,
はい／いいえ and 選択 → the □ options, 住所 → 〒 + a text area, 電話番号 → tel; a repeated table keeps its rows.
"""

from __future__ import annotations

from html import escape

from classifiers.fields.models import KIND_LABELS

CSS = """body{font-family:"IPAexGothic","Noto Sans CJK JP",sans-serif;max-width:46em;margin:1.5em auto;color:#222}
h1{font-size:1.4em;border-bottom:2px solid #2a6;padding-bottom:.2em}
.online{background:#eef8f1;border-left:.4em solid #2a6;padding:.5em .8em;margin:1em 0}
.online.paper{background:#fff6e6;border-color:#e90}
h2{font-size:1.05em;background:#f2f2f2;padding:.2em .5em;margin:1.2em 0 .4em}
table.fields{border-collapse:collapse;width:100%}table.fields td,table.fields th{border:1px solid #ccc;padding:.3em .5em}
th.label{text-align:left;width:30%;background:#fafafa}.req{color:#c00;font-size:.85em;margin-left:.4em}
.src{color:#888;font-size:.75em}.kind{color:#36c;font-size:.75em}.note{color:#555;font-size:.85em}
input[type=text],input[type=tel],textarea{width:95%}textarea{height:2.5em}"""
PAPER = frozenset({"registered", "contract", "law", "undecided", "unreadable", "shomei"})


def _input(field: dict, name: str) -> str:
    kind, options = field["kind"], field.get("options") or []
    req = " required" if field.get("required") else ""
    if kind in ("choice", "yesno"):
        options = options or (["はい", "いいえ"] if kind == "yesno" else [])
        box = "radio" if kind == "yesno" or len(options) <= 3 else "checkbox"
        return "".join(f'<label style="display:inline;font-weight:normal"><input type="{box}" name="{name}"'
                       f' value="{escape(o)}"{req}> {escape(o)}</label> ' for o in options)
    if kind == "date":
        return f'<input type="date" name="{name}"{req}>'
    if kind in ("number", "money"):
        unit = " 円" if kind == "money" else ""
        return f'<input type="number" name="{name}" min="0"{req}>{unit}'
    if kind == "phone":
        return f'<input type="tel" name="{name}" placeholder="000-0000-0000"{req}>'
    if kind == "address":
        return f'〒 <input type="text" name="{name}-zip" size="8" placeholder="000-0000"><br><textarea name="{name}"{req}></textarea>'
    return f'<input type="text" name="{name}"{req}>'


def _label(field: dict) -> str:
    req = '<span class="req">※必須</span>' if field.get("required") else ""
    note = f'<span class="note">（{escape(field["note"])}）</span>' if field.get("note") else ""
    return f"{escape(field['label'])}{note}{req}"


def _kind(field: dict) -> str:
    return escape(KIND_LABELS.get(field["kind"], field["kind"]))


def _section(section: dict, fields: dict[str, dict]) -> str:
    """One table per section (項目｜入力｜種類｜元の様式): it reads the same with or without the style sheet."""
    members = [fields[i] for i in section["fields"] if i in fields]
    parts = [f"<h2>{escape(section['title'])}</h2>"]
    single = [f for f in members if f.get("repeat", 1) <= 1]
    repeated = [f for f in members if f.get("repeat", 1) > 1]
    if single:
        parts.append('<table class="fields"><tr><th>項目</th><th>入力</th><th>種類</th><th>元の様式</th></tr>')
        parts += [f'<tr><th class="label">{_label(f)}</th><td>{_input(f, f["id"])}</td><td class="kind">{_kind(f)}</td>'
                  f'<td class="src">{escape(f.get("location", ""))}</td></tr>' for f in single]
        parts.append("</table>")
    if repeated:
        rows = max(f["repeat"] for f in repeated)
        head = "".join(f"<th>{_label(f)}<br><span class=\"kind\">{_kind(f)}</span></th>" for f in repeated)
        body = "".join("<tr><td>" + str(r) + "</td>" + "".join("<td>" + _input(f, f"{f['id']}-{r}") + "</td>"
                                                               for f in repeated) + "</tr>" for r in range(1, rows + 1))
        where = escape(repeated[0].get("location", ""))
        parts.append(f'<table class="fields"><tr><th>No</th>{head}</tr>{body}</table><p class="src">元の様式: {where}'
                     f"（{rows}行）</p>")
    return "".join(parts)


def render_html(eform: dict) -> str:
    fields = {f["id"]: f for f in eform.get("fields", [])}
    online = eform.get("online") or {}
    paper = " paper" if online.get("class") in PAPER else ""
    source = eform.get("source") or {}
    notes = "".join(f"<li>{escape(n)}</li>" for n in eform.get("notes", []))
    sections = "".join(_section(s, fields) for s in eform.get("sections", []))
    return (
        '<!DOCTYPE html><html lang="ja"><head><meta charset="utf-8">'
        f"<title>{escape(eform.get('title', ''))}（電子様式の下書き）</title><style>{CSS}</style></head><body>"
        f"<h1>{escape(eform.get('title', ''))}</h1>"
        f'<p class="note">元の様式: {escape(source.get("path", ""))}（{escape(source.get("format", ""))}）'
        f'　所管: {escape(source.get("department") or "—")}　項目数: {len(fields)}</p>'
        f'<div class="online{paper}"><b>オンライン化: {escape(online.get("label", "—"))}</b><br>'
        f'{escape(online.get("reason", ""))}</div>'
        f"<form>{sections}</form>"
        + (f"<h2>注意事項（元の様式から）</h2><ul>{notes}</ul>" if notes else "")
        + '<p class="note">sealreview が紙の様式から読み取った下書きです。公開前に担当者が確認してください。</p>'
        "</body></html>\n"
    )
