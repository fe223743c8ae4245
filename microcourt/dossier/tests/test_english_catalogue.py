"""The e-dossier read in English: a build keeps its catalogue as bound, in Chinese (the
court's file); on the dossier page and the desktop reader, its sections, categories and
the labels in its titles are said in English. Data — a file's name, an evidence title, a
person's name, the case number and the court — stays as it is."""

import re

import pytest

from microcourt.core.actor import Actor
from microcourt.dossier import actions, tasks
from microcourt.dossier.models import DossierBuild

pytestmark = pytest.mark.django_db

HAN = re.compile(r"[\u4e00-\u9fff]")

# Rows as documents() binds them (dossier.selectors), with data in each title.
ROWS = [
    ("立案材料", "民事起诉状.pdf", "起诉状（申请书）"),
    ("证据材料", "证据1：王五转账凭证0315", "证据"),
    ("质证记录", "质证意见汇总", "系统生成"),
    ("送达材料", "送达凭证：李四", "送达凭证"),
]
DATA = ["民事起诉状.pdf", "王五转账凭证0315", "李四"]


@pytest.fixture
def build(case, plaintiff_zhang):
    zhang = Actor.citizen(plaintiff_zhang)
    job = actions.dossier_request(case=case, actor=zhang)
    pk = tasks.build.call(case.pk, plaintiff_zhang.pk, zhang.role, None, job.pk)
    built = DossierBuild.objects.get(pk=pk)
    built.catalogue = [
        {"section": s, "title": t, "category": c, "first_page": 2 + i, "pages": 1,
         "court_only": False, "sha256": "0" * 64}
        for i, (s, t, c) in enumerate(ROWS)
    ]  # fmt: skip
    built.save()
    return built


def english_text(html: str, case) -> str:
    text = re.sub(r"<[^>]+>", " ", html).replace("中文", "")
    for data in [*DATA, case.number, case.title, case.court.name]:
        text = text.replace(data, "")
    return text


@pytest.mark.parametrize("reader", ["", "?reader=1"])
def test_the_catalogue_reads_in_english_after_the_switch(
    client, case, plaintiff_zhang, build, reader
):
    client.force_login(plaintiff_zhang)
    url = f"/cases/{case.pk}/dossier/{reader}"
    chinese = client.get(url).content.decode()
    assert "证据1：王五转账凭证0315" in chinese and "送达凭证：李四" in chinese

    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = client.get(url).content.decode()
    text = english_text(html, case)
    assert not HAN.search(text), re.findall(r"\S*[\u4e00-\u9fff]+\S*", text)[:20]
    assert "王五转账凭证0315" in html and "李四" in html  # the data is still there
