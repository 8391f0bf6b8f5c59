"""Life-cycle operations on the state: start a partnership, leave one, end one, log events.

These are the bookkeeping every mechanism shares (tables, membership counts, counters and
the event log); they decide nothing. What a partnership's goal and alignment are, and why
someone leaves, are the mechanisms' business.
"""

from __future__ import annotations

import numpy as np

from .codes import EndCause
from .partnerships import ENDED, ordered_pairs
from .sectors import SECTORS
from .state import State
from .stories import story


def start_partnership(
    s: State,
    members: np.ndarray,
    req: np.ndarray,
    value: float,
    duration: int,
    target: float,
    alignment: float,
    first_trust: np.ndarray,
    *,
    brokered: bool,
    mandated: bool,
    forming: int,
    plan: np.ndarray,
    agreed: np.ndarray,
) -> int:
    """Create a partnership of ``members``; ``first_trust`` (one per ordered pair, as
    :func:`~simulation.partnerships.ordered_pairs` lists them) starts relationships that do
    not exist yet. ``plan`` is each member's agreed commitment, ``agreed`` the output a month
    its agreed effort would give alone. Where a member has no expectation of another yet, it
    expects what that member agreed. Returns the partnership id."""
    pid = s.table.create(
        members,
        req,
        value,
        s.month,
        duration,
        target,
        alignment,
        brokered,
        mandated,
        forming,
        plan,
        agreed,
    )
    s.history.fit(s.table.n_p)
    a, b = ordered_pairs(members)
    edges = s.relations.add(a, b, first_trust)
    expect = s.relations.expect
    planned = dict(zip(members.tolist(), np.asarray(plan).tolist(), strict=True))
    unset = np.isnan(expect[edges])
    expect[edges[unset]] = [planned[o] for o in b[unset].tolist()]
    s.orgs.n_memberships[members] += 1
    s.counts.formed += 1
    how = "mandated" if mandated else ("brokered by the commissioner" if brokered else "formed")
    log_event(s, "formed", pid, members, None, f"a partnership was {how}")
    return pid


def leave(s: State, row: int, cause: EndCause) -> None:
    """Membership ``row`` ends; the partnership ends too if fewer than two members remain.

    The goal is revised: what the leaver agreed to bring over the challenge's remaining
    months is taken off the target.
    """
    t = s.table
    pid = int(t.m_p[row])
    t.m_active[row] = False
    remaining = t.p_challenge_start[pid] + t.p_duration[pid] - s.month - 1
    t.p_target[pid] = max(t.p_target[pid] - t.m_agreed[row] * max(remaining, 0), 0.0)
    org = int(t.m_o[row])
    s.orgs.n_memberships[org] -= 1
    s.counts.left += 1
    s.history.left[pid] += 1
    log_event(s, "left", pid, np.array([org]), cause.label, f"{s.orgs.name[org]} left")
    if t.members_of(pid).size < 2:
        end_partnership(s, pid, cause)


def renew(s: State, pid: int, req: np.ndarray, value: float, duration: int, target: float) -> None:
    """Partnership ``pid``, its challenge completed, takes up a new one (succession)."""
    t = s.table
    t.p_req[pid] = req
    t.p_value[pid] = value
    t.p_duration[pid] = duration
    t.p_target[pid] = target
    t.p_progress[pid] = 0.0
    t.p_challenge_start[pid] = s.month + 1
    t.p_challenges[pid] += 1
    t.p_extended[pid] = False
    t.p_stranded[pid] = 0.0  # costs stranded by leavers ran with the challenge they left
    t.p_mandated[pid] = False  # a mandate covers the first challenge; staying on is chosen
    s.counts.renewed += 1
    log_event(s, "renewed", pid, t.members_of(pid), None, "took up a new challenge together")


def end_partnership(s: State, pid: int, cause: EndCause) -> None:
    """Partnership ``pid`` ends for ``cause`` (nothing happens if it has already ended)."""
    t = s.table
    if t.p_stage[pid] == ENDED:
        return
    members = t.members_of(pid)
    rows = t.active_rows(pid)
    t.m_active[rows] = False
    s.orgs.n_memberships[members] -= 1
    t.p_stage[pid] = ENDED
    t.p_end[pid] = s.month
    t.p_cause[pid] = int(cause)
    s.counts.ended += 1
    s.counts.ended_by(cause)
    if t.p_completed[pid] > 0:
        s.counts.ended_successful += 1
    log_event(s, "ended", pid, members, cause.label, None)


def log_event(
    s: State, kind: str, pid: int, orgs: np.ndarray, cause: str | None, what: str | None
) -> None:
    """Add a formation, departure or ending to the event log, with its story."""
    t, names = s.table, s.orgs.name
    members = [names[i] for i in t.m_o[t.block(pid)]]
    who = [names[i] for i in orgs]
    s.events.append(
        {
            "month": s.month,
            "event": kind,
            "partnership": pid,
            "organisations": ", ".join(who),
            "sectors": ", ".join(sorted({SECTORS[s.orgs.sector[i]] for i in orgs})),
            "cause": cause or "",
            "story": story(s, kind, pid, members, who, cause, what),
        }
    )


def log_story(s: State, kind: str, text: str) -> None:
    """Add an event that concerns no partnership (a funding cut, a turbulent period)."""
    s.events.append(
        {
            "month": s.month,
            "event": kind,
            "partnership": -1,
            "organisations": "",
            "sectors": "",
            "cause": "",
            "story": f"month {s.month}: {text}",
        }
    )
