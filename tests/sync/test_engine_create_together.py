"""The engine's batch create (``CreatesTogether``), without a server: each draft's result is
recorded as a single create's would be, whatever mix of answers one call brings back."""

from __future__ import annotations

import random
from collections.abc import Sequence

from composer.domain.addresses import parse_addresses
from composer.domain.models import Draft
from composer.store.drafts import DraftStore
from composer.store.sync_state import SyncStatus
from composer.sync.adapters.base import AttachmentSource, RemoteRef
from composer.sync.engine import SyncEngine
from composer.sync.errors import SyncError, SyncErrorKind
from tests.store.conftest import FakeClock
from tests.sync.memory_adapter import MemoryAdapter, MemoryService


class TogetherAdapter(MemoryAdapter):
    """The memory service, with creates in one call; ``answers`` scripts what the call
    says for drafts by subject (default: created)."""

    def __init__(self, service: MemoryService) -> None:
        super().__init__(service)
        self.calls: list[int] = []
        self.answers: dict[str, SyncError] = {}
        self.explode = False

    def create_many(self, items: Sequence[tuple[Draft, str]],
                    files: AttachmentSource) -> list[RemoteRef | SyncError]:
        self.calls.append(len(items))
        if self.explode:
            raise RuntimeError("adapter bug")
        out: list[RemoteRef | SyncError] = []
        for draft, marker in items:
            answer = self.answers.get(draft.subject)
            if answer is not None and not (answer.kind is SyncErrorKind.TRANSIENT and
                                           answer.request_sent):
                out.append(answer)
                continue
            ref = self.create(draft, files, marker)  # stored (also when the answer is lost)
            out.append(answer if answer is not None else ref)
        return out


def _draft(subject: str) -> Draft:
    return Draft(account="work", to=tuple(parse_addresses("bob@example.org")),
                 subject=subject, html="<p>hi</p>")


def _engine(store: DraftStore, adapter: TogetherAdapter, clock: FakeClock) -> SyncEngine:
    return SyncEngine(store, lambda name: adapter, clock, random.Random(7))


def test_one_call_and_each_answer_recorded_as_its_own(store: DraftStore,
                                                      clock: FakeClock) -> None:
    service = MemoryService()
    adapter = TogetherAdapter(service)
    adapter.answers = {
        "refused": SyncError(SyncErrorKind.VALIDATION, "over quota", request_sent=True),
        "lost": SyncError(SyncErrorKind.TRANSIENT, "connection lost", request_sent=True),
    }
    drafts = {s: store.save(_draft(s)) for s in ("a", "b", "refused", "lost")}
    report = _engine(store, adapter, clock).run_once()
    assert adapter.calls == [4] and report.pushed == 2 and report.failed == 1
    for subject in ("a", "b"):
        state = store.sync_states.get(drafts[subject].id)
        assert state is not None and state.state is SyncStatus.SYNCED
        assert state.remote_id in service.drafts and not state.create_pending
    refused = store.sync_states.get(drafts["refused"].id)
    assert refused is not None and refused.state is SyncStatus.FAILED
    assert not refused.create_pending and refused.last_error_kind == "validation"
    lost = store.sync_states.get(drafts["lost"].id)
    assert lost is not None and lost.create_pending  # the next pass looks before creating
    assert len(service.drafts) == 3
    # The lost one is found again by its marker on a later pass: still 3 copies.
    adapter.answers = {}
    for _ in range(4):
        clock.advance(hours=1)
        if _engine(store, adapter, clock).run_once().waiting == 0:
            break
    lost = store.sync_states.get(drafts["lost"].id)
    assert lost is not None and lost.state is SyncStatus.SYNCED
    assert len(service.drafts) == 3 and "create" not in service.calls[3:]


def test_an_adapter_bug_keeps_every_outcome_unknown_never_lost(store: DraftStore,
                                                               clock: FakeClock) -> None:
    adapter = TogetherAdapter(MemoryService())
    adapter.explode = True
    drafts = [store.save(_draft(f"d{n}")) for n in range(3)]
    report = _engine(store, adapter, clock).run_once()
    assert report.pushed == 0 and report.waiting == 3
    for d in drafts:
        state = store.sync_states.get(d.id)
        assert state is not None and state.create_pending
        assert "internal error" in (state.last_error or "")


def test_refused_sign_in_stops_the_account_for_the_pass(store: DraftStore,
                                                        clock: FakeClock) -> None:
    service = MemoryService()
    adapter = TogetherAdapter(service)
    auth = SyncError(SyncErrorKind.AUTH, "login refused", request_sent=False)
    adapter.answers = {f"d{n}": auth for n in range(40)}
    for n in range(40):
        store.save(_draft(f"d{n}"))
    report = _engine(store, adapter, clock).run_once()
    assert adapter.calls == [32]  # the second batch is not tried: the account waits
    assert report.pushed == 0 and report.waiting == 40 and not service.drafts
    assert all(not s.create_pending for s in store.sync_states.all_for_account("work"))


def test_a_draft_with_more_than_one_entry_in_the_batch_goes_alone(store: DraftStore,
                                                                  clock: FakeClock) -> None:
    adapter = TogetherAdapter(MemoryService())
    a = store.save(_draft("a"))
    store.save(_draft("b"))
    store.delete(a.id)  # a push and a delete of "a" in the same batch: in order, one by one
    report = _engine(store, adapter, clock).run_once()
    assert report.clean
    assert adapter.calls == []  # "b" alone is not worth a batch either
