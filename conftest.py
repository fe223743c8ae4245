"""Shared fixtures: named personas (ARCHITECTURE §4.10) and helpers."""

import pytest


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    # Keys follow the database: each test's certificates and their key files are its own.
    settings.SIGNING_PKI_DIR = tmp_path / "pki"


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate-limit counters live in the cache: each test starts with none."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def court_haishu(db):
    from microcourt.courts.tests.factories import CourtFactory

    return CourtFactory.haishu()


@pytest.fixture
def plaintiff_zhang(db):
    from microcourt.identity.tests.factories import UserFactory

    return UserFactory(username="plaintiff_zhang", display_name="张三", phone="13811112222")


@pytest.fixture
def defendant_wang(db):
    from microcourt.identity.tests.factories import UserFactory

    return UserFactory(username="defendant_wang", display_name="王五", phone="13933334444")


@pytest.fixture
def judge_chen(db, court_haishu):
    from microcourt.courts.tests.factories import StaffFactory

    return StaffFactory(
        court=court_haishu, role="judge", user__username="judge_chen", user__display_name="陈法官"
    ).user


@pytest.fixture
def clerk_zhao(db, court_haishu):
    from microcourt.courts.tests.factories import StaffFactory

    return StaffFactory(
        court=court_haishu, role="clerk", user__username="clerk_zhao", user__display_name="赵书记员"
    ).user


@pytest.fixture
def run_tasks(db):
    """Run everything queued on the database task backend, as a worker would."""
    from django.core.management import call_command

    def run():
        # The worker closes "old" connections between tasks, as a long-running process must;
        # inside a test's transaction that would close the test's own connection.
        from unittest import mock

        with mock.patch("django_tasks_db.management.commands.db_worker.close_old_connections"):
            call_command("worker", batch=True)

    return run
