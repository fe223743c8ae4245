"""案号 serials under concurrent acceptances (ARCHITECTURE §4.9): proven on PostgreSQL."""

import threading

import pytest
from django.db import connection

from microcourt.cases import actions
from microcourt.cases.models import Case, CaseNumberCounter


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_eight_officers_accepting_at_once_get_serials_one_to_eight(open_case, officer_li):
    if connection.vendor != "postgresql":
        pytest.skip("concurrency is proven on PostgreSQL (CI runs it with DATABASE_URL)")
    cases = [open_case() for _ in range(8)]
    # No counter row yet: the first users also race to create it.
    assert not CaseNumberCounter.objects.exists()
    barrier = threading.Barrier(len(cases))
    numbers: list[str] = []
    errors: list[BaseException] = []

    def accept(pk: int) -> None:
        from django.db import connection as thread_connection

        try:
            copy = Case.objects.get(pk=pk)
            barrier.wait()
            numbers.append(actions.case_accept(case=copy, actor=officer_li).number)
        except BaseException as error:
            errors.append(error)
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=accept, args=(case.pk,)) for case in cases]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    serials = sorted(Case.objects.values_list("serial", flat=True))
    assert serials == list(range(1, 9))
    assert sorted(numbers) == sorted(f"（2026）浙0203民初{n}号" for n in range(1, 9))
    assert CaseNumberCounter.objects.get().last_serial == 8
