"""The sync engine: drains the outbox through the adapters, one pass at a time.

Rules (../shared/DESIGN.md §3 "Sync"):
- Per draft, entries run in order; a push sends the newest revision (several saves
  coalesce). Entries left in flight by a crash go back to pending on ``start()``.
- No duplicates: before a create, the sync state is marked ``create_pending`` and
  committed; if the outcome of that create is unknown (lost response, timeout), the next
  attempt first asks the service for the copy with the draft's marker (``find``),
  and, where the service finds copies by content, also for the content that attempt
  sent (the draft may have been edited since).
- Batches: entries are claimed ``BATCH_SIZE`` at a time, with the create-pending marks
  of all their creates, in one durable transaction before the first of their requests;
  the results of creates that ``find`` can locate again are recorded with the next
  batch's claim (see ``_run_batch`` for why losing them is harmless), all others at once.
  A batch's plain creates for an adapter that can make several in one request
  (``CreatesTogether``: IMAP ``MULTIAPPEND``) go out in one call, each result recorded as
  a single create's would be.
- No silent overwrite: before an update, where the service can fetch, the remote
  version is compared with the one recorded at the last sync; if it moved, the remote
  copy is saved as a separate local draft and both are marked as a conflict.
- Errors: auth stops the account for this pass; rate limits wait as told; transient
  errors back off exponentially with full jitter (capped); validation, forbidden and
  unsupported are not retried until the draft changes. A remote failure never deletes
  local data.

Qt-free and synchronous; the GUI runs it on a worker thread.
"""

from __future__ import annotations

import logging
import random
import time
from collections import Counter, deque
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from composer import __version__
from composer.domain.models import Address, BodyMode, Draft, DraftStatus
from composer.errors import NotFoundError
from composer.store.claims import Claim
from composer.store.codec import draft_from_json
from composer.store.drafts import DraftStore
from composer.store.outbox import Op, OutboxEntry
from composer.store.sync_state import DELETED_ON_SERVICE, SyncState, SyncStatus
from composer.sync.adapters.base import (
    Adapter,
    CreatesTogether,
    RemoteDraft,
    RemoteRef,
    canonical_addresses,
    canonical_text,
)
from composer.sync.errors import SyncError, SyncErrorKind

log = logging.getLogger(__name__)

AdapterLookup = Callable[[str], Adapter]
Clock = Callable[[], datetime]

BACKOFF_BASE = timedelta(seconds=2)
BACKOFF_CAP = timedelta(minutes=15)


@dataclass
class PassReport:
    pushed: int = 0
    deleted: int = 0
    sent: int = 0
    conflicts: int = 0
    failed: int = 0
    waiting: int = 0
    errors: list[tuple[str, SyncError]] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return self.waiting == 0 and self.failed == 0 and self.conflicts == 0


class _AccountBlockedError(Exception):
    """This account can do nothing more in this pass (auth failure, rate limit)."""


def _account(entry: OutboxEntry) -> str:
    assert entry.account is not None  # run_once leaves out entries with no account
    return entry.account


class _HeldResults:
    """Results of creates held back, to be recorded with the next batch's claim (one
    transaction, one fsync, for both), at the end of the pass, or on their own once the
    oldest has waited ``MAX_HOLD_SECONDS`` (a slow service: not all of a batch).

    Only results whose loss is harmless are held (see ``SyncEngine._run_batch``)."""

    MAX_HOLD_SECONDS = 1.0

    def __init__(self, store: DraftStore) -> None:
        self._store = store
        self._results: list[tuple[int, SyncState | None]] = []
        self._since = 0.0

    def add(self, entry_id: int, state: SyncState) -> None:
        if not self._results:
            self._since = time.monotonic()
        self._results.append((entry_id, state))
        if time.monotonic() - self._since >= self.MAX_HOLD_SECONDS:
            self.commit()

    def take(self) -> list[tuple[int, SyncState | None]]:
        results, self._results = self._results, []
        return results

    def put_back(self, results: list[tuple[int, SyncState | None]]) -> None:
        self._results[:0] = results

    def commit(self) -> None:
        results = self.take()
        if results:
            self._store.claims.finish_all(results)


class SyncEngine:
    #: entries claimed (and their creates marked pending) in one transaction
    BATCH_SIZE = 32

    def __init__(
        self,
        store: DraftStore,
        adapters: AdapterLookup,
        clock: Clock,
        rng: random.Random | None = None,
        app_version: str = __version__,
    ) -> None:
        self._store = store
        self._adapters = adapters
        self._clock = clock
        self._rng = rng or random.Random()
        self._started = False
        #: entries whose answer this version could not understand wait under this tag
        self._protocol_tag = f"protocol@{app_version}"

    def start(self) -> int:
        """Put entries a crash left in flight back to pending, and those an earlier version
        of the app could not understand the answer to (``protocol``) are due again;
        returns how many were in flight."""
        self._started = True
        self._store.outbox.unpark(self._protocol_tag)
        return self._store.outbox.reset_in_flight()

    # -- one pass -----------------------------------------------------------------------
    def run_once(self, account: str | None = None, max_entries: int = 10_000, *,
                 skip: Collection[str] = ()) -> PassReport:
        """One pass over the ready outbox (of ``account``, or all); accounts in ``skip``
        (e.g. whose sign-in the pull just saw refused) are left for the next pass."""
        if not self._started:
            self.start()
        report = PassReport()
        blocked: set[str] = set(skip)
        held = _HeldResults(self._store)
        done = 0
        try:
            while done < max_entries:
                ready = deque(e for e in self._store.outbox.ready(self._clock())
                              if e.account is not None and (account is None or
                                                            e.account == account))
                progressed = False
                while ready and done < max_entries:
                    batch = self._next_batch(ready, blocked, max_entries - done)
                    done += len(batch)
                    if self._run_batch(batch, blocked, report, held):
                        progressed = True
                held.commit()  # before looking at the outbox again
                if not progressed:
                    break
        finally:
            held.commit()
        report.waiting = self._waiting(account)
        return report

    def _next_batch(self, ready: deque[OutboxEntry], blocked: set[str],
                    limit: int) -> list[OutboxEntry]:
        """The next ``BATCH_SIZE`` (at most ``limit``) ready entries of unblocked accounts."""
        batch: list[OutboxEntry] = []
        while ready and len(batch) < min(self.BATCH_SIZE, limit):
            entry = ready.popleft()
            if entry.account not in blocked:
                batch.append(entry)
        return batch

    def _waiting(self, account: str | None) -> int:
        counts = self._store.outbox.count_by_account()
        if account is not None:
            return counts.get(account, 0)
        return sum(counts.values())

    def _run_batch(self, batch: list[OutboxEntry], blocked: set[str], report: PassReport,
                   held: _HeldResults) -> bool:
        """Claim ``batch`` and mark its creates pending in one durable transaction (which
        also records the results held from the batch before), so every create-pending
        mark is on disk before its request goes out; then handle the entries in order.
        True when any entry could be claimed.

        The results of creates on services that can find a copy again (``can_find``) are
        held (``_HeldResults``): losing them to a crash or a power cut leaves those drafts
        ``create_pending`` with their entries in flight, exactly as a lost answer does, so
        on the next start each entry runs again and finds the copy (``find``) before
        creating anything: a look-up, never a second copy. Every other result is recorded
        at once: an update's (a lost one would make our own change look like someone
        else's: a false conflict), a send's, a delete's, a failure, and a create's where
        the service cannot find copies (a lost result would mean a second
        copy)."""
        adapters = self._adapters_for(batch, blocked, report)
        finished = held.take()
        try:
            claims = self._store.claims.claim(
                [e for e in batch if _account(e) in adapters],
                lambda entry, draft, state, data: self._create_mark(
                    entry, draft, state, data, adapters[_account(entry)]),
                finished=finished)
        except BaseException:
            held.put_back(finished)  # not recorded: tried again at the end of the pass
            raise
        unstarted = deque(claims)
        skipped: list[Claim] = []
        try:
            self._create_together(unstarted, adapters, blocked, report, held)
            while unstarted:
                claim = unstarted.popleft()
                account = _account(claim.entry)
                if account in blocked:
                    skipped.append(claim)
                    continue
                try:
                    self._process(claim, account, adapters[account], report, held)
                except _AccountBlockedError:
                    blocked.add(account)
        finally:
            # Never started: back to pending as they were, create-pending marks undone
            # (none of their requests went out).
            self._store.claims.unclaim([*skipped, *unstarted])
        return bool(claims)

    def _create_together(self, claims: deque[Claim], adapters: dict[str, Adapter],
                         blocked: set[str], report: PassReport, held: _HeldResults) -> None:
        """Plain creates (drafts never pushed, marked create-pending with the claim, with
        no other entry in this batch) for an adapter that can make several in one request
        (``CreatesTogether``) go out together; they are taken out of ``claims``. Each
        result is recorded as ``_process`` records a create's."""
        per_draft = Counter(c.entry.draft_id for c in claims)
        groups: dict[str, list[Claim]] = {}
        for claim in claims:
            account = _account(claim.entry)
            if claim.marked is not None and claim.draft is not None and \
                    per_draft[claim.entry.draft_id] == 1 and account not in blocked and \
                    isinstance(adapters.get(account), CreatesTogether):
                groups.setdefault(account, []).append(claim)
        for account, group in groups.items():
            if len(group) < 2:
                continue
            for claim in group:  # started: never unclaimed, whatever happens next
                claims.remove(claim)
            if self._create_group(group, account, adapters[account], report, held):
                blocked.add(account)

    def _create_group(self, group: list[Claim], account: str, adapter: Adapter,
                      report: PassReport, held: _HeldResults) -> bool:
        """Create ``group`` in one call; True when the account must wait (auth, rate)."""
        assert isinstance(adapter, CreatesTogether)
        blocked = False
        items: list[tuple[Claim, Draft, SyncState]] = []
        for claim in group:
            assert claim.draft is not None
            state = claim.state or SyncState.first(claim.draft.id, account)
            items.append((claim, claim.draft, state.evolve(marker=state.marker or
                                                           claim.draft.id)))
        results: Sequence[RemoteRef | SyncError]
        try:
            results = adapter.create_many([(d, s.marker or d.id) for _, d, s in items],
                                          self._store.blobs)
        except Exception as exc:  # a bug in an adapter must not wedge the queue
            log.exception("creating drafts together failed unexpectedly")
            results = [SyncError(SyncErrorKind.TRANSIENT,
                                 f"internal error ({type(exc).__name__})")] * len(items)
        for (claim, draft, state), result in zip(items, results, strict=True):
            if isinstance(result, RemoteRef):
                report.pushed += 1
                final = self._synced(state, draft, claim.data, result)
                if adapter.capabilities.can_find:
                    held.add(claim.entry.id, final)
                else:
                    self._store.claims.finish(claim.entry.id, final)
                continue
            if not result.request_sent or result.kind is not SyncErrorKind.TRANSIENT:
                # Never sent, or refused with a clear answer: nothing was created.
                self._store.sync_states.put(state.evolve(create_pending=False))
            self._record_failure(claim.entry, self._store.sync_states.get(draft.id) or state,
                                 result, report)
            blocked |= result.kind in (SyncErrorKind.AUTH, SyncErrorKind.RATE_LIMITED)
        return blocked

    def _adapters_for(self, batch: list[OutboxEntry], blocked: set[str],
                      report: PassReport) -> dict[str, Adapter]:
        """One adapter look-up per account and batch; an account whose adapter cannot be
        had (account removed, no secret) is blocked for the pass."""
        adapters: dict[str, Adapter] = {}
        for entry in batch:
            account = _account(entry)
            if account in adapters or account in blocked:
                continue
            try:
                adapters[account] = self._adapters(account)
            except SyncError as err:
                state = self._store.sync_states.get(entry.draft_id) or \
                    SyncState.first(entry.draft_id, account)
                self._record_failure(entry, state, err, report)
                blocked.add(account)
        return adapters

    def _create_mark(self, entry: OutboxEntry, draft: Draft, state: SyncState | None,
                     data: str, adapter: Adapter) -> SyncState | None:
        """The create-pending mark, written with the claim, for an entry that will go
        straight to ``adapter.create`` (what ``_push`` and ``_create`` would mark before
        the request); None for any other entry."""
        state = state or SyncState.first(draft.id, _account(entry))
        if entry.op is not Op.PUSH or draft.status is not DraftStatus.DRAFT or \
                state.remote_id is not None or state.create_pending:
            return None
        try:
            if adapter.check(draft):
                return None  # refused before any request (by _push)
        except Exception:  # reported by _push, which runs the check again
            return None
        return state.evolve(marker=state.marker or draft.id, create_pending=True,
                            state=SyncStatus.SYNCING, pushed_data=data)

    def _process(self, claim: Claim, account: str, adapter: Adapter, report: PassReport,
                 held: _HeldResults) -> None:
        """Handle one claimed entry."""
        store = self._store
        entry, draft = claim.entry, claim.draft
        if draft is None:
            store.outbox.complete(entry.id)
            return
        state = claim.state or SyncState.first(draft.id, account)
        try:
            final: SyncState | None = None
            if entry.op is Op.PUSH:
                final = self._push(entry, draft, claim.data, state, adapter, report,
                                   marked=claim.marked is not None)
            elif entry.op is Op.DELETE:
                self._delete(entry, draft, state, adapter)
                report.deleted += 1
            else:
                self._send(entry, draft, state, adapter)
                report.sent += 1
        except SyncError as err:
            self._record_failure(entry, store.sync_states.get(draft.id) or state, err, report)
            if err.kind in (SyncErrorKind.AUTH, SyncErrorKind.RATE_LIMITED):
                raise _AccountBlockedError from None
            return
        except Exception as exc:  # a bug in an adapter must not wedge the queue
            log.exception("sync of a draft failed unexpectedly")
            failure = SyncError(SyncErrorKind.TRANSIENT,
                                f"internal error ({type(exc).__name__})")
            self._record_failure(entry, store.sync_states.get(draft.id) or state, failure,
                                 report)
            return
        if final is not None and state.remote_id is None and adapter.capabilities.can_find:
            held.add(entry.id, final)  # a create: found again if this is lost (_run_batch)
        else:
            store.claims.finish(entry.id, final)  # one transaction: entry done + where it stands

    # -- operations ---------------------------------------------------------------------
    def _push(self, entry: OutboxEntry, draft: Draft, data: str, state: SyncState,
              adapter: Adapter, report: PassReport, *, marked: bool) -> SyncState | None:
        """Push the newest revision (``data``: the draft as stored, recorded as what was
        pushed); returns the sync state to record with the entry's completion (None when
        there was nothing to record). ``marked``: the create-pending mark was committed
        with the claim (``state`` is the state from before it)."""
        if draft.status is not DraftStatus.DRAFT:
            return None
        if state.remote_id is not None and state.pushed_revision == draft.revision:
            return None
        problems = adapter.check(draft)
        if problems:
            first = problems[0]
            raise SyncError(
                SyncErrorKind.VALIDATION, "; ".join(p.message for p in problems),
                field=first.field, fields=tuple((p.field, p.message) for p in problems),
                request_sent=False,
            )
        marker = state.marker or draft.id
        if state.remote_id is None:
            ref: RemoteRef | None = self._create(entry, draft, data,
                                                 state.evolve(marker=marker), adapter,
                                                 marked=marked)
        else:
            ref = self._update(entry, draft, data, state, adapter, marker, report)
        if ref is None:
            return None
        report.pushed += 1
        return self._synced(state.evolve(marker=marker), draft, data, ref)

    def _synced(self, state: SyncState, draft: Draft, data: str, ref: RemoteRef) -> SyncState:
        """Where a draft stands once ``data`` (its revision as stored) is on the service
        as ``ref``."""
        return state.evolve(
            state=SyncStatus.SYNCED, remote_id=ref.remote_id, remote_version=ref.version,
            pushed_revision=draft.revision, pushed_data=data, create_pending=False,
            last_error=None, last_error_kind=None, last_error_field=None, retry_at=None,
            last_synced_at=self._clock(),
        )

    def _create(self, entry: OutboxEntry, draft: Draft, data: str, state: SyncState,
                adapter: Adapter, *, outcome_unknown: bool = True,
                marked: bool = False) -> RemoteRef:
        """Create the remote copy. With ``create_pending`` set, an earlier attempt may have
        made it: look it up first (and, when that attempt's outcome was unknown, look
        again after a backoff before creating a second copy). ``marked``: this attempt's
        create-pending mark is already committed (with the claim)."""
        marker = state.marker or draft.id
        if state.create_pending:
            found = self._find(adapter, marker, draft)
            if found is None:
                found = self._find_attempted(adapter, marker, draft, state)
            if found is None and outcome_unknown:
                self._not_found_yet(entry, adapter)
            if found is not None:
                if adapter.capabilities.editable_after_create or \
                        adapter.capabilities.partial_update:
                    return adapter.update(found, draft, None, self._store.blobs, marker)
                return found if self._same_content(adapter, found, draft) else \
                    adapter.update(found, draft, None, self._store.blobs, marker)
        if not marked:
            self._store.sync_states.put(state.evolve(create_pending=True,
                                                     state=SyncStatus.SYNCING,
                                                     pushed_data=data))
        try:
            return adapter.create(draft, self._store.blobs, marker)
        except SyncError as err:
            if not err.request_sent or err.kind is not SyncErrorKind.TRANSIENT:
                # Never sent, or refused with a clear answer: nothing was created.
                self._store.sync_states.put(state.evolve(create_pending=False))
            raise

    #: looks for the copy of a create whose outcome is unknown before creating again
    UNKNOWN_OUTCOME_CHECKS = 2
    #: the wait between those looks (a request that timed out can land a moment later)
    UNKNOWN_OUTCOME_WAIT = timedelta(seconds=20)

    def _not_found_yet(self, entry: OutboxEntry, adapter: Adapter) -> None:
        """A create whose outcome was unknown is not on the service (yet). A request that
        timed out can still land a moment later, so look again after a short fixed wait
        before creating again (or, for a delete, before concluding there is nothing to
        delete). Bounded: at most ``UNKNOWN_OUTCOME_CHECKS`` looks, ``UNKNOWN_OUTCOME_WAIT``
        apart (under a minute), then the engine goes ahead; the state says so."""
        if adapter.capabilities.can_find and entry.attempts < self.UNKNOWN_OUTCOME_CHECKS:
            when = self._clock() + self.UNKNOWN_OUTCOME_WAIT
            then = "saved again" if entry.op is Op.PUSH else "taken as never made"
            raise SyncError(
                SyncErrorKind.TRANSIENT,
                "an earlier save was interrupted; its copy is not on the service yet; "
                f"looking again at {when:%H:%M:%S} UTC, then it is {then}",
                retry_at=when, request_sent=False)

    def _same_content(self, adapter: Adapter, ref: RemoteRef, draft: Draft) -> bool:
        try:
            remote = adapter.fetch(ref.remote_id)
        except SyncError:
            return False
        return canonical_text(remote.subject) == canonical_text(draft.subject) and \
            canonical_addresses(remote.to) == canonical_addresses(
                a.addr for a in draft.to if a.valid)

    def _find_attempted(self, adapter: Adapter, marker: str, draft: Draft,
                        state: SyncState) -> RemoteRef | None:
        """The copy an earlier create may have made of an older revision. A pending create
        records what it sends in ``pushed_data`` (unused until there is a remote copy);
        where the service finds copies by their content, an edit made since then hides
        that copy from a look-up with the current draft."""
        if state.remote_id is not None or not state.pushed_data:
            return None
        attempted = draft_from_json(state.pushed_data)
        if attempted.revision == draft.revision:
            return None
        return self._find(adapter, marker, attempted)

    def _find(self, adapter: Adapter, marker: str, draft: Draft) -> RemoteRef | None:
        try:
            return adapter.find(marker, draft)
        except SyncError as err:
            if err.kind is SyncErrorKind.UNSUPPORTED:
                return None
            raise

    def _update(self, entry: OutboxEntry, draft: Draft, data: str, state: SyncState,
                adapter: Adapter, marker: str, report: PassReport) -> RemoteRef | None:
        assert state.remote_id is not None
        ref = RemoteRef(state.remote_id, state.remote_version or "")
        previous = draft_from_json(state.pushed_data) if state.pushed_data else None
        if adapter.capabilities.can_fetch:
            try:
                remote = adapter.fetch(state.remote_id)
            except SyncError as err:
                if err.kind is not SyncErrorKind.NOT_FOUND:
                    raise
                return self._gone(entry, draft, data, state, adapter, marker, report)
            if state.remote_version and remote.version != state.remote_version:
                self._keep_both(draft, state, remote)
                report.conflicts += 1
                return None
        self._mark_replacing(state, adapter)
        return adapter.update(ref, draft, previous, self._store.blobs, marker)

    def _mark_replacing(self, state: SyncState, adapter: Adapter) -> None:
        """Where an update deletes the old copy before it creates the new one, record
        that a replacement is under way: until the new copy is known, a missing old copy
        is our own doing, not a delete made elsewhere (see ``_gone``). Services that
        create first (IMAP) or edit in place never lack a copy: no write needed."""
        if adapter.capabilities.update_deletes_first:
            self._store.sync_states.put(state.evolve(create_pending=True))

    def _gone(self, entry: OutboxEntry, draft: Draft, data: str, state: SyncState,
              adapter: Adapter, marker: str, report: PassReport) -> RemoteRef | None:
        """The service no longer has the copy we know. If our own replacement of it was
        under way (``create_pending``), finish that: find the new copy, else create it.
        Otherwise our copy may live on under another id (found by its marker); if not,
        it was deleted on the service while edited here: the user decides (save it there
        again, or delete it here too), nothing is re-created silently."""
        if state.create_pending:
            fresh = state.evolve(remote_id=None, remote_version=None, pushed_data=None,
                                 pushed_revision=None, create_pending=True)
            return self._create(entry, draft, data, fresh, adapter, outcome_unknown=False)
        found = self._find(adapter, marker, draft)
        if found is not None:
            self._mark_replacing(state, adapter)
            return adapter.update(found, draft, None, self._store.blobs, marker)
        self._store.sync_states.put(state.evolve(
            state=SyncStatus.CONFLICT, last_error_kind=DELETED_ON_SERVICE,
            last_error="deleted on the service while it was edited here; save it there "
                       "again, or delete it here too",
            last_error_field=None, retry_at=None))
        report.conflicts += 1
        return None

    def _keep_both(self, draft: Draft, state: SyncState, remote: RemoteDraft) -> None:
        """The service's copy changed since our last sync: save it as its own local draft,
        mark both, push nothing."""
        copy = remote_to_draft(remote, draft.account).evolve(
            context={**dict(draft.context), "conflict_of": draft.id})
        store = self._store
        with store.atomic():
            saved = store.save_as_synced(copy, SyncState(
                draft_id=copy.id, account=state.account, state=SyncStatus.CONFLICT,
                marker=copy.id, remote_id=remote.remote_id, remote_version=remote.version,
                last_error=f"this is the service's version of draft {draft.id}",
                last_error_kind="conflict",
            ))
            store.sync_states.put(state.evolve(
                state=SyncStatus.CONFLICT, last_error_kind="conflict",
                last_error=f"changed on the service too; its version was kept as draft "
                           f"{saved.id}",
                last_error_field=None,
            ))

    def _delete(self, entry: OutboxEntry, draft: Draft, state: SyncState,
                adapter: Adapter) -> None:
        remote_id = state.remote_id
        if remote_id is None and state.create_pending:
            found = self._find(adapter, state.marker or draft.id, draft)
            if found is None:
                self._not_found_yet(entry, adapter)
            remote_id = found.remote_id if found else None
        if remote_id is not None:
            try:
                adapter.delete(remote_id)
            except SyncError as err:
                if err.kind is not SyncErrorKind.NOT_FOUND:
                    raise
        self._store.purge(draft.id)

    def _send(self, entry: OutboxEntry, draft: Draft, state: SyncState, adapter: Adapter) -> None:
        if draft.status is DraftStatus.SENT:
            return
        if state.remote_id is None or state.pushed_revision != draft.revision:
            raise SyncError(
                SyncErrorKind.VALIDATION,
                "the draft is not on the service in its latest version yet; fix the sync "
                "problem shown for it, then send again",
                request_sent=False,
            )
        if entry.attempts > 0 and adapter.capabilities.can_fetch:
            # A previous attempt may have gone through with its answer lost.
            try:
                remote = adapter.fetch(state.remote_id)
                already = remote.status.lower() not in ("draft", "")
            except SyncError as err:
                already = err.kind is SyncErrorKind.NOT_FOUND
            if already:
                self._mark_sent(draft, state)
                return
        try:
            adapter.send(state.remote_id)
        except SyncError as err:
            if err.kind is not SyncErrorKind.CONFLICT or entry.attempts == 0:
                raise
        self._mark_sent(draft, state)

    def _mark_sent(self, draft: Draft, state: SyncState) -> None:
        self._store.set_status(draft.id, DraftStatus.SENT)
        self._store.sync_states.put(state.evolve(
            state=SyncStatus.SENT, last_error=None, last_error_kind=None, retry_at=None,
            last_synced_at=self._clock()))

    # -- failures -----------------------------------------------------------------------
    def _backoff(self, attempts: int) -> timedelta:
        ceiling = min(BACKOFF_CAP, BACKOFF_BASE * (2 ** min(attempts, 20)))
        return timedelta(seconds=self._rng.uniform(0, ceiling.total_seconds()))

    def _record_failure(self, entry: OutboxEntry, state: SyncState, err: SyncError,
                        report: PassReport) -> None:
        store = self._store
        with store.atomic():  # where it stands and what happens next, together
            now = self._clock()
            retry_at: datetime | None = None
            if err.kind in (SyncErrorKind.RATE_LIMITED, SyncErrorKind.TRANSIENT):
                retry_at = err.retry_at or now + self._backoff(entry.attempts + 1)
            keep = err.kind in (SyncErrorKind.RATE_LIMITED, SyncErrorKind.TRANSIENT,
                                SyncErrorKind.AUTH)
            status = SyncStatus.FAILED
            store.sync_states.put(state.evolve(
                state=status, last_error=err.service_message or err.message,
                last_error_kind=err.kind.value, last_error_field=err.field, retry_at=retry_at,
            ))
            if keep:
                store.outbox.release(entry.id, not_before=retry_at, error=err.message)
                report.errors.append((entry.draft_id, err))
            elif err.kind is SyncErrorKind.PROTOCOL and entry.op is not Op.SEND:
                # Not retried until the draft changes (its next save makes the entry due) or
                # another version of the app starts (which may understand the answer).
                store.outbox.park(entry.id, tag=self._protocol_tag, error=err.message)
                report.failed += 1
                report.errors.append((entry.draft_id, err))
            else:
                # Not retried until the draft changes (its next save queues a new push).
                store.outbox.complete(entry.id)
                report.failed += 1
                report.errors.append((entry.draft_id, err))
            if entry.op is Op.SEND and not keep:
                draft = store.get(entry.draft_id, include_deleted=True)
                if draft.status is DraftStatus.SENDING:
                    store.set_status(draft.id, DraftStatus.DRAFT)

    # -- pull ---------------------------------------------------------------------------
    def pull(self, account: str) -> int:
        """Import drafts that exist on the service but not here; returns how many."""
        adapter = self._adapters(account)
        if not adapter.capabilities.can_list:
            return 0
        known = {s.remote_id for s in self._store.sync_states.all_for_account(account)}
        known |= self._adopt_pending(adapter, account, known)
        markers = {s.marker: s for s in self._store.sync_states.all_for_account(account)
                   if s.create_pending}
        imported = 0
        for remote in adapter.list_drafts({r for r in known if r is not None}):
            if remote.remote_id in known or remote.status.lower() not in ("draft", ""):
                continue
            pending = markers.get(remote.marker or "")
            if pending is not None:
                self._store.sync_states.put(pending.evolve(
                    remote_id=remote.remote_id, remote_version=remote.version,
                    create_pending=False))
                continue
            draft = remote_to_draft(remote, account)
            self._store.save_as_synced(draft, SyncState(
                draft_id=draft.id, account=account, state=SyncStatus.SYNCED, marker=draft.id,
                remote_id=remote.remote_id, remote_version=remote.version,
                last_synced_at=self._clock(),
            ))
            imported += 1
        return imported


    def _adopt_pending(self, adapter: Adapter, account: str, known: set[str | None]
                       ) -> set[str]:
        """Before importing: the copies that creates of unknown outcome made, found as
        a push would find them (by marker or by content) and recorded on their drafts,
        so the pull does not import such a copy as a second local draft."""
        adopted: set[str] = set()
        for state in self._store.sync_states.all_for_account(account):
            if not state.create_pending or state.remote_id is not None:
                continue
            try:
                draft = self._store.get(state.draft_id, include_deleted=True)
            except NotFoundError:
                continue
            marker = state.marker or draft.id
            found = self._find(adapter, marker, draft) or \
                self._find_attempted(adapter, marker, draft, state)
            if found is None or found.remote_id in known or found.remote_id in adopted:
                continue
            adopted_state = state.evolve(remote_id=found.remote_id,
                                         remote_version=found.version, create_pending=False)
            if state.pushed_data and draft_from_json(state.pushed_data).revision == \
                    draft.revision:
                # That create sent this very revision: nothing left to push.
                adopted_state = adopted_state.evolve(
                    state=SyncStatus.SYNCED, pushed_revision=draft.revision,
                    last_error=None, last_error_kind=None, last_error_field=None,
                    retry_at=None, last_synced_at=self._clock())
            self._store.sync_states.put(adopted_state)
            adopted.add(found.remote_id)
        return adopted


def remote_to_draft(remote: RemoteDraft, account: str | None) -> Draft:
    from composer.domain.addresses import parse_addresses
    from composer.domain.html import sanitize_html
    from composer.domain.models import Schedule

    def addresses(items: tuple[str, ...]) -> tuple[Address, ...]:
        out: list[Address] = []
        for item in items:
            out += parse_addresses(item)
        return tuple(out)

    html = sanitize_html(remote.html) if remote.html else ""
    return Draft(
        account=account,
        from_addr=remote.from_addr,
        to=addresses(remote.to),
        cc=addresses(remote.cc),
        bcc=addresses(remote.bcc),
        subject=remote.subject.replace("\r", " ").replace("\n", " "),
        body_mode=BodyMode.HTML if html or not remote.text else BodyMode.TEXT,
        html=html,
        text="" if html else remote.text,
        schedule=Schedule(remote.send_at, "UTC") if remote.send_at else None,
    )
