"""The dossier PDF: catalogue first, documents in order with their page numbers, bookmarks
by section and document, and every kind of file given its place."""

import hashlib
import io

import pytest
from pypdf import PdfReader

from microcourt.dossier.builder import Document, build

pytestmark = pytest.mark.django_db


def html_pdf(text: str, pages: int = 1) -> bytes:
    from weasyprint import HTML

    style = "page-break-after: always; font-family: 'WenQuanYi Micro Hei'"
    body = "".join(f'<p style="{style}">{text} {i + 1}</p>' for i in range(pages))
    return HTML(string=body).write_pdf()


def png() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (300, 200), (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


def docx() -> bytes:
    from docx import Document as Docx

    d = Docx()
    d.add_paragraph("借条：今借到张三人民币伍万元整。")
    out = io.BytesIO()
    d.save(out)
    return out.getvalue()


def doc(section, title, mime, data):
    return Document(
        section=section,
        title=title,
        category="测试",
        mime=mime,
        sha256=hashlib.sha256(data).hexdigest(),
        load=lambda: data,
    )


class FakeCase:
    number = "（2026）浙0203民初1号"
    title = "张三诉王五民间借贷纠纷"

    class court:
        name = "宁波市海曙区人民法院"


def test_documents_follow_the_catalogue_in_order_with_bookmarks():
    audio = b"OggS" + bytes(100)
    documents = [
        doc("立案材料", "民事起诉状", "application/pdf", html_pdf("起诉状", pages=2)),
        doc("证据材料", "证据1：借条照片", "image/png", png()),
        doc(
            "证据材料",
            "证据2：借条文本",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            docx(),
        ),
        doc("证据材料", "证据3：催款录音", "audio/ogg", audio),
    ]
    built = build(FakeCase, documents, audience_label="法院卷宗")
    reader = PdfReader(io.BytesIO(built.pdf))
    assert len(reader.pages) == built.pages
    # The catalogue takes page 1; the complaint's two pages follow, then one page each.
    assert [r["first_page"] for r in built.catalogue] == [2, 4, 5, 6]
    assert [r["pages"] for r in built.catalogue] == [2, 1, 1, 1]
    text = [p.extract_text() for p in reader.pages]
    assert "电 子 卷 宗 目 录" in text[0] and "证据3：催款录音" in text[0]
    assert "起诉状 1" in text[1] and "起诉状 2" in text[2]
    assert "伍万元整" in text[4]
    assert "音频证据" in text[5] and documents[3].sha256 in text[5].replace("\n", "")
    outline = reader.outline
    titles = [item.title for item in outline if not isinstance(item, list)]
    assert titles == ["目录", "立案材料", "证据材料"]
    children = [item for item in outline if isinstance(item, list)]
    assert [c.title for c in children[1]] == [
        "证据1：借条照片",
        "证据2：借条文本",
        "证据3：催款录音",
    ]
    assert reader.get_destination_page_number(children[1][0]) == 3  # zero-based page 4


def test_a_damaged_file_keeps_its_place_with_a_page_saying_so():
    broken = doc("证据材料", "证据1：损坏的PDF", "application/pdf", b"%PDF-1.4 broken")
    built = build(FakeCase, [broken], audience_label="当事人阅卷")
    reader = PdfReader(io.BytesIO(built.pdf))
    assert "无法读取" in reader.pages[built.catalogue[0]["first_page"] - 1].extract_text()
