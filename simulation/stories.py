"""Events as one-sentence stories, e.g. 'month 14: the partnership of A and B ended: ...'."""

from __future__ import annotations

from .codes import EndCause
from .state import State

CAUSE_TEXT = {
    EndCause.COMPLETED.label: "it completed its work and met its goal",
    EndCause.DEADLINE_MISSED.label: "it reached its deadline with its goals missed",
    EndCause.NOT_WORTH_IT.label: "members decided 'this isn't worth it any more'",
    EndCause.TRUST_COLLAPSED.label: "trust collapsed",
    EndCause.FUNDING_CUT.label: "members were pulled back to their own priorities after a "
    "funding cut",
    EndCause.MEMBER_CLOSED.label: "a member organisation closed",
}
LEFT_TEXT = {
    EndCause.NOT_WORTH_IT.label: "deciding 'this isn't worth it any more'",
    EndCause.TRUST_COLLAPSED.label: "having lost trust in its partners",
    EndCause.FUNDING_CUT.label: "pulled back to its own priorities by a funding cut",
    EndCause.MEMBER_CLOSED.label: "because it closed",
}
#: Credit dispute intensity above which a story mentions it.
DISPUTE = 0.15


def join_names(names: list[str]) -> str:
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def story(
    s: State,
    kind: str,
    pid: int,
    members: list[str],
    who: list[str],
    cause: str | None,
    what: str | None,
) -> str:
    """One event of month ``s.month`` as a sentence."""
    head = f"month {s.month}: "
    if kind == "formed":
        return head + f"{join_names(who)} — {what} (partnership {pid})"
    if kind == "renewed":
        return head + f"the partnership of {join_names(members)} {what} (partnership {pid})"
    if kind == "left":
        return (
            head + f"{join_names(who)} left the partnership of {join_names(members)}, "
            f"{LEFT_TEXT.get(cause or '', cause)}"
        )
    text = CAUSE_TEXT.get(cause or "", cause or "")
    if cause == EndCause.TRUST_COLLAPSED.label and s.table.p_harm[pid] > DISPUTE:
        text += " after a dispute over credit"
    return head + f"the partnership of {join_names(members)} ended: {text}"
