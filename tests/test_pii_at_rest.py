"""Personal data at rest (个人信息保护法第五十一条: encryption as a security measure): after
the demo and the usual journeys — a filing submitted and decided, a document served, a fee
paid, a message in the case space, log-ins and tokens — no table of the database holds a
demo person's ID number, phone number or street address in clear. Every column of every
table is read with raw SQL, so a new table or column that forgets to encrypt is caught too.
The ledger's public part (what anyone may download and verify) is checked on its own."""

from __future__ import annotations

import io
import json

import pytest
from django.db import connection

from microcourt import demo

# Transactional: on-commit work (ledger integration, notification delivery) runs as live.
pytestmark = pytest.mark.django_db(transaction=True)


def demo_secrets() -> dict[str, str]:
    """What must never be readable without the key, taken from the demo data itself."""
    values = {}
    for _username, _name, phone in demo.PUBLIC:
        values[f"phone {phone}"] = phone
    for name, number in demo.DEMO_IDS.items():
        values[f"ID number of {name}"] = number
    # The defendants' numbers and the addresses the demo filings give for the parties.
    values["phone of 王五"] = "13900000005"
    values["address (claimant)"] = "浙江省宁波市海曙区（演示地址）"
    values["address (respondent)"] = "浙江省宁波市鄞州区（演示地址）"
    return values


def spellings(value: str) -> list[str]:
    """The value as a column may hold it: as is, and as JSON writes it (\\uXXXX escapes)."""
    return list(dict.fromkeys([value, json.dumps(value)[1:-1]]))


def as_text(value) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, memoryview):
        value = value.tobytes()
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="ignore")
    if isinstance(value, dict | list):  # PostgreSQL hands JSON columns back parsed
        return json.dumps(value, ensure_ascii=False)
    return None


def every_text_cell():
    """(table, column, text) for every non-empty text or binary cell of every table."""
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            columns = [
                c.name for c in connection.introspection.get_table_description(cursor, table)
            ]
            cursor.execute(f"SELECT {', '.join(map(quote, columns))} FROM {quote(table)}")  # noqa: S608
            for row in cursor.fetchall():
                for column, value in zip(columns, row, strict=True):
                    text = as_text(value)
                    if text:
                        yield table, column, text


@pytest.fixture
def journeys(settings, tmp_path, run_tasks, client, reference_data):
    """The demo, then what its people do next."""
    import datetime as dt

    from microcourt.cases.models import Case
    from microcourt.core.actor import Actor
    from microcourt.identity import actions as identity_actions
    from microcourt.identity.models import User
    from microcourt.payments.tests.helpers import pay_in_sandbox
    from microcourt.spaces import actions as space_actions

    settings.DATA_DIR = tmp_path
    settings.PAYMENT_SANDBOX_SECRET = "sandbox-secret-for-tests"
    settings.PAYMENT_PROVIDERS = {
        "sandbox": {"BACKEND": "microcourt.payments.providers.sandbox.SandboxProvider"}
    }
    demo.run(stdout=io.StringIO())  # filings submitted, one accepted, its notice served
    run_tasks()  # documents, certificates, deliveries: what the worker does next

    zhang = User.objects.get(username="demo_citizen")
    li = User.objects.get(username="demo_citizen2")
    order = zhang.payment_orders.get()
    pay_in_sandbox(order)  # 张三 pays the acceptance fee
    case = Case.objects.get(pk=order.case_id)
    space_actions.message_post(case=case, actor=Actor.citizen(li), text="收到，我会按时参加庭审。")
    # 张三 logs in by phone on the page and asks for an API token with another spelling.
    client.post("/accounts/login/", {"login": "138 0000 0001", "password": settings.DEMO_PASSWORD})
    identity_actions.api_token_issue(username="+8613800000001", password=settings.DEMO_PASSWORD)
    # 张三 reads his own data unmasked and exports it (both are logged).
    identity_actions.identity_reveal(actor=Actor.citizen(zhang), subject=zhang)
    identity_actions.personal_data_export(actor=Actor.citizen(zhang), user=zhang)
    run_tasks()
    assert order.status == "paid" and dt.date.today()
    return case


def test_no_table_holds_a_demo_persons_id_number_phone_or_address_in_clear(journeys):
    secrets = demo_secrets()
    found = set()
    for table, column, text in every_text_cell():
        for what, value in secrets.items():
            if any(spelling in text for spelling in spellings(value)):
                found.add(f"{table}.{column}: {what}")
    assert not found, "personal data in clear at rest:\n" + "\n".join(sorted(found))


def test_the_public_part_of_the_ledger_names_nobody(journeys):
    from microcourt.identity.models import User
    from microcourt.ledger.models import Entry

    entries = list(Entry.objects.values_list("public_json", flat=True))
    assert len(entries) > 20  # the journeys above were recorded
    names = [u.display_name for u in User.objects.filter(username__startswith="demo_citizen")]
    for public in entries:
        for value in [*demo_secrets().values(), *names]:
            assert not any(s in public for s in spellings(value)), (value, public)


def test_the_decision_snapshot_is_ciphertext_yet_reads_back_whole(journeys):
    """What the court saw at submission is kept, readable through the application only."""
    from microcourt.filing.models import FilingDecision

    decision = FilingDecision.objects.filter(kind="submitted").exclude(snapshot={}).first()
    assert decision is not None and decision.snapshot["digest"].startswith("sha256:")
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT snapshot FROM {FilingDecision._meta.db_table} WHERE id = %s",  # noqa: S608
            [decision.pk],
        )
        (raw,) = cursor.fetchone()
    assert str(raw).startswith("k1:") and "digest" not in str(raw)
