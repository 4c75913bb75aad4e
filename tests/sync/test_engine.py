"""The sync engine against an in-memory service: order, coalescing, no duplicates,
conflicts kept, typed failures, restarts."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest

from composer.domain.addresses import parse_addresses
from composer.domain.models import Draft, DraftStatus
from composer.errors import InvalidInputError
from composer.store.drafts import DraftStore
from composer.store.outbox import Op
from composer.store.sync_state import DELETED_ON_SERVICE, SyncStatus
from composer.sync import conflicts
from composer.sync.engine import SyncEngine
from composer.sync.errors import SyncError, SyncErrorKind
from tests.store.conftest import FakeClock
from tests.sync.memory_adapter import MemoryAdapter, MemoryService


@pytest.fixture
def service() -> MemoryService:
    return MemoryService()


def _engine(store: DraftStore, service: MemoryService, clock: FakeClock,
            **kw: bool) -> SyncEngine:
    adapter = MemoryAdapter(service, **kw)

    def lookup(name: str) -> MemoryAdapter:
        assert name == "work"
        return adapter

    return SyncEngine(store, lookup, clock, random.Random(7))


def _draft(subject: str = "Hello") -> Draft:
    return Draft(account="work", to=tuple(parse_addresses("bob@example.org")),
                 subject=subject, html="<p>hi</p>")


def test_saves_coalesce_into_one_push_of_the_newest(store: DraftStore, service: MemoryService,
                                                      clock: FakeClock) -> None:
    d = store.save(_draft())
    for n in range(5):
        d = store.save(d.evolve(subject=f"v{n}"))
    report = _engine(store, service, clock).run_once()
    assert report.pushed == 1 and report.clean
    assert service.calls == ["create"]
    [stored] = service.drafts.values()
    assert stored.subject == "v4" and stored.marker == d.id
    state = store.sync_states.get(d.id)
    assert state is not None and state.state is SyncStatus.SYNCED
    assert state.pushed_revision == d.revision and state.remote_id == stored.id


def test_local_only_drafts_never_reach_a_service(store: DraftStore, service: MemoryService,
                                                  clock: FakeClock) -> None:
    store.save(_draft().evolve(account=None))
    assert _engine(store, service, clock).run_once().pushed == 0
    assert service.calls == []


def test_lost_create_response_makes_no_duplicate(store: DraftStore, service: MemoryService,
                                                  clock: FakeClock) -> None:
    d = store.save(_draft())
    service.lose("create")
    engine = _engine(store, service, clock)
    first = engine.run_once()
    assert first.pushed == 0 and first.waiting == 1
    state = store.sync_states.get(d.id)
    assert state is not None and state.create_pending and state.state is SyncStatus.FAILED
    assert state.last_error_kind == "transient" and state.retry_at is not None
    clock.advance(hours=1)
    second = engine.run_once()
    assert second.pushed == 1 and second.clean
    assert len(service.drafts) == 1
    assert "find" in service.calls and service.calls.count("create") == 1


def test_transient_failures_back_off_with_jitter_and_cap(store: DraftStore,
                                                         service: MemoryService,
                                                         clock: FakeClock) -> None:
    d = store.save(_draft())
    service.fail("create", SyncError(SyncErrorKind.TRANSIENT, "503", request_sent=True), 12)
    engine = _engine(store, service, clock)
    delays = []
    for _ in range(12):
        engine.run_once()
        state = store.sync_states.get(d.id)
        assert state is not None and state.retry_at is not None
        delays.append(state.retry_at - clock.now)
        # not retried before its time
        assert engine.run_once().pushed == 0
        clock.now = state.retry_at + timedelta(milliseconds=1)
    assert all(timedelta(0) <= x <= timedelta(minutes=15) for x in delays)
    assert max(delays) > timedelta(seconds=30)  # it grows
    service._faults.clear()
    pushed = 0
    for _ in range(3):
        clock.advance(hours=1)
        pushed += engine.run_once().pushed
    assert pushed == 1
    assert len(service.drafts) == 1


def test_rate_limit_waits_as_told_and_stops_the_account(store: DraftStore,
                                                        service: MemoryService,
                                                        clock: FakeClock) -> None:
    a = store.save(_draft("a"))
    store.save(_draft("b"))
    until = clock.now + timedelta(seconds=90)
    service.fail("create", SyncError(SyncErrorKind.RATE_LIMITED, "429", retry_at=until))
    engine = _engine(store, service, clock)
    report = engine.run_once()
    assert report.pushed == 0 and service.calls == ["create"]  # b was not tried either
    state = store.sync_states.get(a.id)
    assert state is not None and state.retry_at == until
    clock.now = until + timedelta(seconds=1)
    assert engine.run_once().pushed == 2


def test_validation_error_is_kept_and_not_retried_until_the_draft_changes(
    store: DraftStore, service: MemoryService, clock: FakeClock
) -> None:
    d = store.save(_draft())
    service.fail("create", SyncError(SyncErrorKind.VALIDATION, "bad", field="to",
                                     service_message="Recipient Invalid - To recipient is x."))
    engine = _engine(store, service, clock)
    report = engine.run_once()
    assert report.failed == 1 and not report.clean
    state = store.sync_states.get(d.id)
    assert state is not None and state.state is SyncStatus.FAILED
    assert state.last_error == "Recipient Invalid - To recipient is x."
    assert state.last_error_field == "to"
    clock.advance(hours=5)
    assert engine.run_once().pushed == 0 and service.calls == ["create"]
    store.save(d.evolve(subject="fixed"))
    assert engine.run_once().pushed == 1


def test_check_problems_stop_the_push_before_any_request(store: DraftStore,
                                                          service: MemoryService,
                                                          clock: FakeClock) -> None:
    d = store.save(_draft("x" * 101))
    report = _engine(store, service, clock).run_once()
    assert report.failed == 1 and service.calls == []
    state = store.sync_states.get(d.id)
    assert state is not None and state.last_error_field == "subject"


def test_auth_failure_stops_the_account_and_keeps_the_work(store: DraftStore,
                                                            service: MemoryService,
                                                            clock: FakeClock) -> None:
    d = store.save(_draft())
    store.save(_draft("second"))
    service.fail("create", SyncError(SyncErrorKind.AUTH, "User credentials are invalid."))
    engine = _engine(store, service, clock)
    report = engine.run_once()
    assert report.waiting == 2 and service.calls == ["create"]
    state = store.sync_states.get(d.id)
    assert state is not None and state.last_error_kind == "auth"
    assert engine.run_once().pushed == 2  # credentials fixed: everything goes out


def test_update_after_remote_change_keeps_both_and_marks_conflict(
    store: DraftStore, service: MemoryService, clock: FakeClock
) -> None:
    d = store.save(_draft("mine v1"))
    engine = _engine(store, service, clock)
    engine.run_once()
    [remote_id] = service.drafts
    service.touch(remote_id, "changed on the web")
    d = store.save(d.evolve(subject="mine v2"))
    report = engine.run_once()
    assert report.conflicts == 1
    assert service.drafts[remote_id].subject == "changed on the web"  # not overwritten
    state = store.sync_states.get(d.id)
    assert state is not None and state.state is SyncStatus.CONFLICT
    copies = [s for s in store.summaries() if s.id != d.id]
    assert [c.subject for c in copies] == ["changed on the web"]
    # further edits wait for the user's decision
    store.save(d.evolve(subject="mine v3"))
    assert engine.run_once().pushed == 0
    assert store.get(d.id).subject == "mine v3"


@pytest.mark.parametrize("choice", ["mine", "theirs", "both"])
def test_conflict_resolution(store: DraftStore, service: MemoryService, clock: FakeClock,
                             choice: str) -> None:
    d = store.save(_draft("mine v1"))
    engine = _engine(store, service, clock)
    engine.run_once()
    [remote_id] = service.drafts
    service.touch(remote_id, "theirs")
    d = store.save(d.evolve(subject="mine v2"))
    engine.run_once()
    getattr(conflicts, f"keep_{choice}")(store, d.id)
    report = engine.run_once()
    assert report.conflicts == 0
    subjects = sorted(s.subject for s in service.drafts.values())
    local = sorted(s.subject for s in store.summaries())
    if choice == "mine":
        assert subjects == ["mine v2"] and local == ["mine v2"]
        assert [s.subject for s in store.summaries(deleted=True)] == ["theirs"]
    elif choice == "theirs":
        assert subjects == ["theirs"] and local == ["theirs"]
        assert "mine v2" in [h.subject for h in store.revisions.history(d.id)]
    else:
        assert subjects == ["mine v2", "theirs"] and local == ["mine v2", "theirs"]
    for s in store.summaries():
        st = store.sync_states.get(s.id)
        assert st is not None and st.state is SyncStatus.SYNCED


@pytest.mark.parametrize("choice", ["mine", "theirs", "both"])
def test_a_resolution_cut_short_changes_nothing(
        store: DraftStore, service: MemoryService, clock: FakeClock,
        monkeypatch: pytest.MonkeyPatch, choice: str) -> None:
    """A resolution is one transaction: failing at its last write (as a crash or a full
    disk would) leaves the conflict exactly as it was, still resolvable."""
    d = store.save(_draft("mine v1"))
    engine = _engine(store, service, clock)
    engine.run_once()
    [remote_id] = service.drafts
    service.touch(remote_id, "theirs")
    store.save(store.get(d.id).evolve(subject="mine v2"))
    engine.run_once()
    before = [(s.id, s.subject, s.revision, s.sync) for s in store.summaries()]
    states = {s.id: store.sync_states.get(s.id) for s in store.summaries()}
    last = {"mine": "push_again", "theirs": "delete", "both": "push_again"}[choice]

    def crash(*args: object, **kwargs: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(store, last, crash)
    with pytest.raises(OSError):
        getattr(conflicts, f"keep_{choice}")(store, d.id)
    monkeypatch.undo()
    assert [(s.id, s.subject, s.revision, s.sync) for s in store.summaries()] == before
    assert {s.id: store.sync_states.get(s.id) for s in store.summaries()} == states
    assert store.summaries(deleted=True) == []
    getattr(conflicts, f"keep_{choice}")(store, d.id)     # and it still resolves
    assert engine.run_once().conflicts == 0


def _deleted_there(store: DraftStore, service: MemoryService, clock: FakeClock,
                   editable: bool) -> tuple[SyncEngine, str]:
    """A synced draft whose copy someone deletes on the service; then it is edited here."""
    d = store.save(_draft())
    engine = _engine(store, service, clock, editable=editable)
    engine.run_once()
    service.drafts.clear()
    store.save(store.get(d.id).evolve(subject="still mine"))
    report = engine.run_once()
    assert report.conflicts == 1 and report.pushed == 0
    assert service.drafts == {}                     # nothing re-created behind the user
    state = store.sync_states.get(d.id)
    assert state is not None and state.state is SyncStatus.CONFLICT
    assert state.last_error_kind == DELETED_ON_SERVICE
    assert conflicts.deleted_on_service(store, d.id)
    with pytest.raises(InvalidInputError, match="deleted on the service"):
        conflicts.conflict_pair(store, d.id)
    store.save(store.get(d.id).evolve(subject="still mine, edited"))   # kept, waits
    assert store.outbox.pending_for(d.id) == []
    assert engine.run_once().pushed == 0 and service.drafts == {}
    assert store.get(d.id).subject == "still mine, edited"
    return engine, d.id


@pytest.mark.parametrize("editable", [True, False], ids=["edits", "replaces"])
def test_a_draft_deleted_on_the_service_asks_then_is_saved_there_again(
    store: DraftStore, service: MemoryService, clock: FakeClock, editable: bool
) -> None:
    engine, draft_id = _deleted_there(store, service, clock, editable)
    conflicts.save_again(store, draft_id)
    assert engine.run_once().pushed == 1
    assert [s.subject for s in service.drafts.values()] == ["still mine, edited"]
    state = store.sync_states.get(draft_id)
    assert state is not None and state.state is SyncStatus.SYNCED
    store.save(store.get(draft_id).evolve(subject="later"))
    assert engine.run_once().pushed == 1
    assert [s.subject for s in service.drafts.values()] == ["later"]


@pytest.mark.parametrize("editable", [True, False], ids=["edits", "replaces"])
def test_a_draft_deleted_on_the_service_can_be_deleted_here_too_and_restored(
    store: DraftStore, service: MemoryService, clock: FakeClock, editable: bool
) -> None:
    engine, draft_id = _deleted_there(store, service, clock, editable)
    service.calls.clear()
    conflicts.delete_here_too(store, draft_id)
    assert [s.id for s in store.summaries(deleted=True)] == [draft_id]
    engine.run_once()
    assert service.drafts == {} and "delete" not in service.calls
    assert [s.id for s in store.summaries(deleted=True)] == [draft_id]   # still restorable
    store.undelete(draft_id)                      # changed their mind: saved there again
    assert engine.run_once().pushed == 1
    assert [s.subject for s in service.drafts.values()] == ["still mine, edited"]


@pytest.mark.parametrize("fault", ["refused", "lost"])
def test_our_own_replacement_cut_in_half_is_finished_not_asked_about(
    store: DraftStore, service: MemoryService, clock: FakeClock, fault: str
) -> None:
    """A service that saves by delete-and-create: the delete went through, the create
    failed (or its answer was lost). The missing old copy is our doing: the next pass
    finishes the replacement, with one copy and no question."""
    d = store.save(_draft())
    engine = _engine(store, service, clock, editable=False)
    engine.run_once()
    if fault == "refused":
        service.fail("create", SyncError(SyncErrorKind.TRANSIENT, "503"))
    else:
        service.lose("create")
    store.save(store.get(d.id).evolve(subject="v2"))
    report = engine.run_once()
    assert report.pushed == 0 and report.conflicts == 0
    clock.advance(hours=1)
    report = engine.run_once()
    assert report.conflicts == 0
    assert [s.subject for s in service.drafts.values()] == ["v2"]
    state = store.sync_states.get(d.id)
    assert state is not None and state.state is SyncStatus.SYNCED, state


def test_delete_goes_through_the_outbox_and_purges_after_confirmation(
    store: DraftStore, service: MemoryService, clock: FakeClock
) -> None:
    d = store.save(_draft())
    engine = _engine(store, service, clock)
    engine.run_once()
    service.fail("delete", SyncError(SyncErrorKind.TRANSIENT, "503"))
    store.delete(d.id)
    engine.run_once()
    assert len(service.drafts) == 1
    assert [s.id for s in store.summaries(deleted=True)] == [d.id]  # tombstone kept
    clock.advance(hours=1)
    assert engine.run_once().deleted == 1
    assert service.drafts == {} and store.summaries(deleted=True) == []


def test_send_after_push_marks_sent_and_survives_a_lost_answer(
    store: DraftStore, service: MemoryService, clock: FakeClock
) -> None:
    d = store.save(_draft())
    store.enqueue(d.id, Op.SEND)
    service.lose("send")
    engine = _engine(store, service, clock)
    engine.run_once()
    clock.advance(hours=1)
    report = engine.run_once()
    assert report.clean
    assert store.get(d.id).status is DraftStatus.SENT
    assert service.calls.count("send") == 1  # the retry saw it was already sent
    state = store.sync_states.get(d.id)
    assert state is not None and state.state is SyncStatus.SENT


def test_in_flight_entries_resume_after_a_restart(store: DraftStore, service: MemoryService,
                                                  clock: FakeClock) -> None:
    d = store.save(_draft())
    [entry] = store.outbox.pending_for(d.id)
    store.outbox.claim(entry.id)  # the process died right here
    engine = _engine(store, service, clock)
    assert engine.start() == 1
    assert engine.run_once().pushed == 1


def test_service_that_cannot_edit_gets_delete_and_create(store: DraftStore,
                                                         service: MemoryService,
                                                         clock: FakeClock) -> None:
    d = store.save(_draft("one"))
    engine = _engine(store, service, clock, editable=False)
    engine.run_once()
    first = set(service.drafts)
    store.save(d.evolve(subject="two"))
    engine.run_once()
    assert set(service.drafts) != first and len(service.drafts) == 1
    state = store.sync_states.get(d.id)
    assert state is not None and state.remote_id in service.drafts


def test_pull_imports_drafts_made_on_the_service(store: DraftStore, service: MemoryService,
                                                 clock: FakeClock) -> None:
    engine = _engine(store, service, clock)
    store.save(_draft("pushed"))
    engine.run_once()
    from tests.sync.memory_adapter import Stored

    service.drafts["web1"] = Stored("web1", 3, "", ("carol@example.org",), "From the web",
                                    "<p>typed online</p>", "", ())
    assert engine.pull("work") == 1
    assert engine.pull("work") == 0
    [web] = [s for s in store.summaries() if s.subject == "From the web"]
    draft = store.get(web.id)
    assert draft.to[0].addr == "carol@example.org" and draft.account == "work"
    assert engine.run_once().pushed == 0  # imported, not pushed back


def test_an_answer_not_understood_waits_for_the_draft_or_a_new_app_version(
    store: DraftStore, service: MemoryService, clock: FakeClock
) -> None:
    """A ``protocol`` failure is not retried by time or by restarting the same version;
    a changed draft or another version of the app tries again."""
    d = store.save(_draft())
    service.fail("create", SyncError(SyncErrorKind.PROTOCOL, "no items"), times=2)
    adapter = MemoryAdapter(service)

    def engine(version: str) -> SyncEngine:
        return SyncEngine(store, lambda name: adapter, clock, random.Random(7),
                          app_version=version)

    assert engine("1.0").run_once().failed == 1
    state = store.sync_states.get(d.id)
    assert state is not None and state.last_error_kind == "protocol"
    clock.advance(hours=48)
    assert engine("1.0").run_once().pushed == 0            # a restart of the same version
    assert service.calls == ["create"]
    assert engine("1.1").run_once().failed == 1            # a new version asks again...
    assert service.calls == ["create", "create"]
    assert engine("1.1").run_once().pushed == 0            # ...once
    store.save(d.evolve(subject="changed"))                # the draft changes
    assert engine("1.1").run_once().pushed == 1
    assert service.calls == ["create", "create", "create"]
