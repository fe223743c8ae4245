"""开启质证 from the evidence page: with nothing chosen the judge is told which field is
missing — 请选择要质证的证据, on the form itself — and nothing changes; the browser asks for
at least one exhibit before sending."""

import re
from html import unescape

import pytest
from django.utils import timezone

from microcourt.evidence.events import LedgerEvent as E
from microcourt.evidence.models import CrossExamination
from microcourt.ledger.models import Entry

pytestmark = pytest.mark.django_db


@pytest.fixture
def page_as_judge(client, case, zhang, judge, judge_chen, submit):
    submit(zhang, name="借条")
    submit(zhang, name="转账记录", filename="转账.png")
    client.force_login(judge_chen)
    return client


def later(hours=48) -> str:
    return timezone.localtime(timezone.now() + timezone.timedelta(hours=hours)).strftime(
        "%Y-%m-%dT%H:%M"
    )


@pytest.mark.parametrize("chosen", [[], ["abc"]], ids=["nothing", "not-a-number"])
def test_opening_with_nothing_chosen_names_the_field_and_changes_nothing(
    page_as_judge, case, chosen
):
    entries = Entry.objects.count()
    response = page_as_judge.post(
        f"/cases/{case.pk}/evidence/cross-examinations/",
        {"exhibits": chosen, "mode": "async", "deadline": later()},
    )
    assert response.status_code == 400
    page = unescape(response.content.decode())
    form = re.search(
        r'<form[^>]*action="[^"]*cross-examinations/#open-xexam"[^>]*>(.*?)</form>', page, re.S
    )
    assert form, "the error is shown on the 开启质证 form, which the page scrolls to"
    said = re.findall(r'<p[^>]*id="xexam-exhibits-error"[^>]*role="alert">([^<]*)<', form.group(1))
    assert said == ["请选择要质证的证据"]  # once, next to the evidence to choose
    assert 'aria-describedby="xexam-exhibits-error"' in form.group(1)
    assert later()[:10] in form.group(1)  # the deadline the judge typed is kept
    assert 'name="exhibits" value="1" checked' not in form.group(1)  # as chosen: none
    assert not CrossExamination.objects.exists()
    assert Entry.objects.count() == entries
    assert not Entry.objects.filter(code=E.CROSS_EXAMINATION_OPENED).exists()


def test_with_evidence_chosen_the_period_opens(page_as_judge, case):
    response = page_as_judge.post(
        f"/cases/{case.pk}/evidence/cross-examinations/",
        {"exhibits": ["1"], "mode": "async", "deadline": later()},
    )
    assert response.status_code == 302
    assert list(CrossExamination.objects.get().exhibits.values_list("number", flat=True)) == [1]


def test_the_browser_asks_for_at_least_one_exhibit_before_sending(page_as_judge, case):
    from tests.rendered import rendered

    path = f"/cases/{case.pk}/evidence/"
    html = page_as_judge.get(path).content.decode()
    with rendered(html, path=path, width=390) as page:
        sent = []
        page.on("request", lambda r: sent.append(r.url) if r.method == "POST" else None)
        boxes = page.locator("fieldset[data-require-one] input[type=checkbox]")
        assert boxes.count() == 2
        for i in range(2):
            boxes.nth(i).uncheck()
        page.fill("input[name=deadline]", later())
        page.get_by_role("button", name="开启质证").click()
        page.wait_for_timeout(300)
        assert sent == []
        assert boxes.first.evaluate("b => b.validationMessage") == "请选择要质证的证据"
        boxes.nth(1).check()  # one is enough
        assert boxes.first.evaluate("b => b.validity.valid")
