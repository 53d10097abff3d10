"""Word package parts: the main document part, relationships, every header/footer part."""

from __future__ import annotations

import posixpath
import zipfile

from lxml import etree

from extractors.safety import read_xml

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"


def q(tag: str) -> str:
    return f"{{{W}}}{tag}"


def rels_of(zf: zipfile.ZipFile, part: str) -> dict[str, str]:
    folder, name = posixpath.split(part)
    root = read_xml(zf, posixpath.join(folder, "_rels", name + ".rels"))
    if root is None:
        return {}
    rels = {}
    for rel in root.iter(f"{{{PKG_REL}}}Relationship"):
        if rel.get("TargetMode") == "External":
            continue
        target = rel.get("Target") or ""
        path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
        rels[rel.get("Id")] = path
    return rels


def header_parts(zf: zipfile.ZipFile, body: etree._Element, doc_part: str) -> list[tuple[str, str, str]]:
    """(kind, variant, part) for every header/footer of every section, each part once."""
    rels = rels_of(zf, doc_part)
    seen: set[str] = set()
    parts: list[tuple[str, str, str]] = []
    for sect in body.iter(q("sectPr")):
        for ref in sect:
            if ref.tag not in (q("headerReference"), q("footerReference")):
                continue
            target = rels.get(ref.get(f"{{{R}}}id") or "")
            if not target or target in seen:
                continue
            seen.add(target)
            kind = "header" if ref.tag == q("headerReference") else "footer"
            variant = ref.get(q("type")) or "default"
            parts.append((kind, variant, target))
    return parts


def main_part(zf: zipfile.ZipFile) -> str:
    root = read_xml(zf, "_rels/.rels")
    if root is not None:
        for rel in root.iter(f"{{{PKG_REL}}}Relationship"):
            if (rel.get("Type") or "").endswith("/officeDocument"):
                return (rel.get("Target") or "word/document.xml").lstrip("/")
    return "word/document.xml"


def core_title(zf: zipfile.ZipFile) -> str:
    return ""  # core.xml titles are usually template leftovers; the lead guesses titles from text


def page_count(zf: zipfile.ZipFile) -> int:
    root = read_xml(zf, "docProps/app.xml")
    if root is None:
        return 0
    for el in root.iter():
        if isinstance(el.tag, str) and el.tag.endswith("}Pages"):
            try:
                return int((el.text or "0").strip())
            except ValueError:
                return 0
    return 0
