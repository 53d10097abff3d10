"""Defensive reading of OOXML containers: zip-bomb checks and entity-free XML parsing."""

from __future__ import annotations

import zipfile
import zlib
from collections.abc import Iterable

from lxml import etree

MAX_MEMBER_BYTES = 200 * 1024 * 1024  # one uncompressed part
MAX_TOTAL_BYTES = 500 * 1024 * 1024  # the whole container, uncompressed
MAX_RATIO = 200  # uncompressed / compressed, for big parts only
CHUNK_BYTES = 1 << 20  # parts are scanned for a DTD in chunks of this size
XML_PARTS = (".xml", ".rels", ".vml")  # the parts scanned for a DTD
HOSTILE_XML = "XMLに実体（エンティティ）の定義が含まれているため、安全のため読み取りません"


class UnsafeContainer(Exception):
    """The container looks like a zip bomb (message in Japanese)."""


class BrokenFile(Exception):
    """The file is damaged beyond reading (message in Japanese)."""


class EncryptedFile(Exception):
    """The file is password protected."""


_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, huge_tree=False, remove_comments=True, load_dtd=False
)


def check_zip(zf: zipfile.ZipFile) -> None:
    """Refuse containers whose declared uncompressed sizes are absurd, or whose XML declares a DTD."""
    check_sizes(zf)
    if isinstance(zf, zipfile.ZipFile):
        check_xml_prologs(zf)


def check_sizes(zf: zipfile.ZipFile) -> None:
    """Refuse containers whose declared uncompressed sizes are absurd (before anything is unpacked)."""
    total = 0
    for info in zf.infolist():
        total += info.file_size
        if info.file_size > MAX_MEMBER_BYTES:
            raise UnsafeContainer("展開後のサイズが大きすぎるため読み取りません（zip爆弾の疑い）")
        if info.file_size > 10 * 1024 * 1024 and info.compress_size and (
            info.file_size / info.compress_size > MAX_RATIO
        ):
            raise UnsafeContainer("圧縮率が異常なため読み取りません（zip爆弾の疑い）")
    if total > MAX_TOTAL_BYTES:
        raise UnsafeContainer("展開後のサイズが大きすぎるため読み取りません（zip爆弾の疑い）")


def check_xml_prologs(zf: zipfile.ZipFile) -> None:
    """Office never writes a DTD into its XML parts: one with entity definitions is hostile
    ("billion laughs", external entities). Every part is read to its end."""
    for info in zf.infolist():
        if not info.filename.endswith(XML_PARTS) or info.file_size == 0:
            continue
        try:
            hostile = declares_dtd(zf, info)
        except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, zlib.error):
            continue  # the reader reports a broken part itself
        if hostile:
            raise UnsafeContainer(HOSTILE_XML)



def check_xml_parts(parts: Iterable[tuple[str, bytes]]) -> None:
    """`check_xml_prologs` on parts already unpacked (name, bytes), e.g. by a reviser that reads every part
    anyway: the same test (a DOCTYPE or an ENTITY anywhere in the part), without unpacking them twice."""
    for name, data in parts:
        if name.endswith(XML_PARTS) and (b"<!DOCTYPE" in data or b"<!ENTITY" in data):
            raise UnsafeContainer(HOSTILE_XML)


def declares_dtd(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> bool:
    """Does the part hold `<!DOCTYPE` or `<!ENTITY` anywhere? The whole part is streamed in chunks (a
    DOCTYPE after a long comment is still a DOCTYPE); the sizes were checked before (check_zip)."""
    tail = b""
    with zf.open(info) as fh:
        while chunk := fh.read(CHUNK_BYTES):
            window = tail + chunk
            if b"<!DOCTYPE" in window or b"<!ENTITY" in window:
                return True
            tail = window[-(len(b"<!DOCTYPE") - 1):]
    return False


def parse_xml(data: bytes) -> etree._Element:
    """Parse XML without resolving entities or touching the network."""
    return etree.fromstring(data, parser=_PARSER)


def read_xml(zf: zipfile.ZipFile, name: str) -> etree._Element | None:
    """A part of the container parsed as XML, or None when it is missing."""
    try:
        data = zf.read(name)
    except KeyError:
        return None
    return parse_xml(data)


def is_ole_encrypted(head: bytes) -> bool:
    """An OOXML file saved with a password is an OLE2 container with an EncryptedPackage."""
    return "EncryptedPackage".encode("utf-16-le") in head
