"""Turning a case's documents into one PDF: a catalogue (目录) with each document's first
page, the documents in order, and bookmarks (section → document) a reader can jump by.

Each source is a PDF already, or becomes one: images fill an A4 page, Word documents are
set as text, audio, video and anything else get a page naming the file and its SHA-256 (the
original stays in the case's evidence, verifiable by that digest)."""

from __future__ import annotations

import base64
import html
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.core.files.storage import default_storage
from django.template.loader import render_to_string
from django.utils import timezone

from microcourt.core import pdf as renderer

if TYPE_CHECKING:
    from pypdf import PdfReader

FONT = "'WenQuanYi Micro Hei', sans-serif"


@dataclass
class Document:
    """One document of the dossier. ``load`` gives its bytes (read only when built)."""

    section: str
    title: str
    category: str
    mime: str
    sha256: str
    court_only: bool = False
    load: Callable[[], bytes] | None = None
    pdf: bytes | None = None  # already a PDF made for the dossier (records, exports)


@dataclass
class Built:
    pdf: bytes
    pages: int
    catalogue: list[dict] = field(default_factory=list)


def stored(path: str) -> Callable[[], bytes]:
    def load() -> bytes:
        with default_storage.open(path, "rb") as f:
            return f.read()

    return load


def _page(body: str) -> str:
    return (
        "<html><head><meta charset='utf-8'><style>@page { size: A4; margin: 18mm; }"
        f"body {{ font-family: {FONT}; font-size: 11pt; line-height: 1.6; }}"
        "p { white-space: pre-wrap; overflow-wrap: anywhere; }"
        "img { max-width: 100%; max-height: 250mm; display: block; margin: 0 auto; }"
        ".meta { color: #555; font-size: 9pt; word-break: break-all; }</style></head>"
        f"<body>{body}</body></html>"
    )


def _placeholder(doc: Document, note: str) -> str:
    return _page(
        f"<h2>{html.escape(doc.title)}</h2><p>{html.escape(note)}</p>"
        f"<p class='meta'>{html.escape(doc.category)} · {html.escape(doc.mime)}<br>"
        f"SHA-256 {html.escape(doc.sha256)}</p>"
    )


def source(doc: Document) -> bytes | str:
    """The document as PDF bytes, or as the HTML of the pages that stand for it (rendered
    with the others, in one child process: ``core.pdf.render_each``)."""
    if doc.pdf is not None:
        return doc.pdf
    data = doc.load() if doc.load is not None else b""
    if doc.mime == "application/pdf":
        return data
    if doc.mime.startswith("image/"):
        encoded = base64.b64encode(data).decode()
        return _page(
            f"<img src='data:{doc.mime};base64,{encoded}' alt=''>"
            f"<p class='meta'>{html.escape(doc.title)} · SHA-256 {html.escape(doc.sha256)}</p>"
        )
    if doc.mime.endswith("wordprocessingml.document"):
        from docx import Document as Docx

        paragraphs = [p.text for p in Docx(io.BytesIO(data)).paragraphs if p.text.strip()]
        body = "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs) or "<p>（空白文档）</p>"
        return _page(f"<h2>{html.escape(doc.title)}</h2>{body}")
    kind = (
        "音频证据"
        if doc.mime.startswith("audio/")
        else "视频证据"
        if doc.mime.startswith("video/")
        else "该材料不能转为页面"
    )
    return _placeholder(doc, f"{kind}：原件保存在本案证据中，可凭下列 SHA-256 核对。")


def as_pdf(doc: Document) -> bytes:
    """The document as PDF pages."""
    made = source(doc)
    return made if isinstance(made, bytes) else renderer.render(made)


def _catalogue_pdf(case, rows: list[dict], offset: int, audience_label: str) -> bytes:
    page = render_to_string(
        "dossier/catalogue.html",
        {
            "case": case,
            "rows": [{**r, "first_page": r["first_page"] + offset} for r in rows],
            "now": timezone.localtime(),
            "audience": audience_label,
        },
    )
    return renderer.render(page)


def _readers(documents: list[Document]) -> list[PdfReader]:
    """Every document as a PDF reader. The pages made from HTML are rendered together (one
    child process, within the job's budget); a file that is damaged, or fails to render,
    keeps its place as a page saying so."""
    from pypdf import PdfReader

    sources: list[bytes | str] = []
    for doc in documents:
        try:
            sources.append(source(doc))
        except Exception:
            sources.append(b"")  # unreadable: becomes the placeholder below
    todo = [i for i, s in enumerate(sources) if isinstance(s, str)]
    for i, made in zip(todo, renderer.render_each([str(sources[i]) for i in todo]), strict=True):
        sources[i] = made or b""
    readers: list[PdfReader | None] = []
    for data in sources:
        try:
            reader = PdfReader(io.BytesIO(data))
            readers.append(reader if len(reader.pages) else None)
        except Exception:
            readers.append(None)
    broken = [i for i, r in enumerate(readers) if r is None]
    notes = [_placeholder(documents[i], "该文件无法读取为 PDF。") for i in broken]
    for i, made in zip(broken, renderer.render_each(notes), strict=True):
        if made is None:
            raise renderer.RenderFailed(f"the placeholder page of {documents[i].title!r} failed")
        readers[i] = PdfReader(io.BytesIO(made))
    return [r for r in readers if r is not None]


def build(case, documents: list[Document], *, audience_label: str) -> Built:
    """The dossier: catalogue first, then every document, with bookmarks. Every render
    runs in a child process within the budget of the job (``core.pdf.budget``)."""
    from pypdf import PdfReader, PdfWriter

    parts: list[tuple[Document, PdfReader]] = []
    rows: list[dict] = []
    page = 1
    for doc, reader in zip(documents, _readers(documents), strict=True):
        count = len(reader.pages)
        parts.append((doc, reader))
        rows.append(
            {
                "section": doc.section,
                "title": doc.title,
                "category": doc.category,
                "first_page": page,
                "pages": count,
                "sha256": doc.sha256,
                "court_only": doc.court_only,
            }
        )
        page += count
    # The catalogue's own length shifts every page number: render until it is stable.
    offset = 1
    for _attempt in range(3):
        catalogue = PdfReader(io.BytesIO(_catalogue_pdf(case, rows, offset, audience_label)))
        if len(catalogue.pages) == offset:
            break
        offset = len(catalogue.pages)
    writer = PdfWriter()
    for p in catalogue.pages:
        writer.add_page(p)
    writer.add_outline_item(title="目录", page_number=0)
    sections: dict[str, object] = {}
    for (doc, reader), row in zip(parts, rows, strict=True):
        first = len(writer.pages)
        for p in reader.pages:
            writer.add_page(p)
        if doc.section not in sections:
            sections[doc.section] = writer.add_outline_item(title=doc.section, page_number=first)
        writer.add_outline_item(title=doc.title, page_number=first, parent=sections[doc.section])
        row["first_page"] = first + 1
    writer.add_metadata({"/Title": f"{case.number or case.title} 电子卷宗"})
    out = io.BytesIO()
    writer.write(out)
    return Built(pdf=out.getvalue(), pages=len(writer.pages), catalogue=rows)
