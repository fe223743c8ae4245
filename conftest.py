"""Shared fixtures: named personas (ARCHITECTURE §4.10) and helpers."""

import os

import pytest


def pytest_configure(config):
    """Under pytest-xdist (`make test`), the servers a worker's tests start (tests/live_server.py,
    settings.dev) run their managed Janus on ports of that worker's own: serially they all use
    the defaults one after another, two workers' servers at once would fight over them. (The
    worker's test Janus, tests/janus_support.py, takes its own blocks; its Redis database is
    set in microcourt/settings/test.py.)"""
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        return
    from tests.janus_support import port_block
    from tests.live_server import free_port

    rtp = port_block(23000, 70)  # below the test Janus's blocks (30000 and up)
    stream = port_block(21000, 10)  # the default streaming range, shared out
    for name, value in {
        "MICROCOURT_JANUS_API_URL": f"http://127.0.0.1:{free_port()}/janus",
        "MICROCOURT_JANUS_ADMIN_URL": f"http://127.0.0.1:{free_port()}/admin",
        "MICROCOURT_JANUS_WS_PORT": str(free_port()),
        "MICROCOURT_JANUS_RTP_PORTS": f"{rtp}-{rtp + 99}",
        "MICROCOURT_JANUS_STREAM_PORTS": f"{stream}-{stream + 99}",
    }.items():
        os.environ.setdefault(name, value)


def _flushes(item) -> bool:
    """Whether ``item`` ran as a transactional test (pytest-django empties every table after
    one, migration data included)."""
    marker = item.get_closest_marker("django_db")
    transactional = marker is not None and bool(
        marker.kwargs.get("transaction")
        or marker.kwargs.get("reset_sequences")
        or (marker.args and marker.args[0])
    )
    names = set(getattr(item, "fixturenames", ()))
    return transactional or bool(
        names & {"transactional_db", "live_server", "django_db_reset_sequences"}
    )


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """After a transactional test has emptied the tables, the migrations' reference data is
    put back, so every test starts from a migrated database whatever ran before it on its
    worker (pytest-xdist shares the files out; serially the order happened to hide this)."""
    yield
    if _flushes(item):
        from pytest_django.plugin import blocking_manager_key

        with item.config.stash[blocking_manager_key].unblock():
            _seed_reference_data()


def _seed_reference_data():
    import importlib

    from django.apps import apps

    from microcourt.cases.models import CaseType
    from microcourt.filing.models import CauseOfAction

    if CaseType.objects.filter(code="民初").exists() and CauseOfAction.objects.exists():
        return
    for module in (
        "microcourt.cases.migrations.0002_seed_case_types",
        "microcourt.cases.migrations.0003_pre_action_preservation_type",
        "microcourt.filing.migrations.0002_seed_causes",
    ):
        importlib.import_module(module).Migration.operations[0].code(apps, None)


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    # Keys follow the database: each test's certificates and their key files are its own.
    settings.SIGNING_PKI_DIR = tmp_path / "pki"


@pytest.fixture
def reference_data(db):
    """Case types and causes of action are migration data; a transactional test before this
    one may have flushed them, so they are put back when missing."""
    _seed_reference_data()


@pytest.fixture(autouse=True)
def _language_reset():
    """Each test starts in Chinese: one that switches the thread to English must not turn
    the next test's documents English."""
    from django.utils import translation

    yield
    translation.deactivate()


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


# --- The same personas as actors (every app's stories use these; an app's conftest may only
# add to a persona's state — verified, second factor, on the panel — never change who it is).


@pytest.fixture
def zhang(plaintiff_zhang):
    """张三 acting for himself, a citizen."""
    from microcourt.core.actor import Actor

    return Actor.citizen(plaintiff_zhang)


@pytest.fixture
def wang(defendant_wang):
    """王五 acting for himself, a citizen."""
    from microcourt.core.actor import Actor

    return Actor.citizen(defendant_wang)


@pytest.fixture
def officer_li(db, court_haishu):
    """李立案, the 海曙 court's filing officer (立案庭): reaches every case of the court."""
    from microcourt.core.actor import Actor
    from microcourt.courts.tests.factories import StaffFactory

    user = StaffFactory(
        court=court_haishu,
        role="filing_officer",
        user__username="officer_li",
        user__display_name="李立案",
    ).user
    return Actor(user=user, role="filing_officer", court_id=court_haishu.pk)


@pytest.fixture
def judge(judge_chen, court_haishu):
    """陈法官 acting as a judge of 海曙 (on a case only once on its panel: ``on_panel``)."""
    from microcourt.core.actor import Actor

    return Actor(user=judge_chen, role="judge", court_id=court_haishu.pk)


@pytest.fixture
def clerk(clerk_zhao, court_haishu):
    """赵书记员 acting as a clerk of 海曙 — always the court's clerk, never a citizen."""
    from microcourt.core.actor import Actor

    return Actor(user=clerk_zhao, role="clerk", court_id=court_haishu.pk)


@pytest.fixture
def on_panel(officer_li):
    """分案: the filing officer puts a person of the court on a case's panel."""
    from microcourt.cases import actions

    def assign(case, user, role="judge"):
        return actions.participant_add(
            case=case, actor=officer_li, role=role, user=user, display_name=user.display_name
        )

    return assign


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
