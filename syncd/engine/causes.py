"""Why a change is not done: one vocabulary for the outbox, the summary, ``status``, metrics and the console.

Every outbox row that is not applied carries a :class:`Cause`. The cause says how the row is handled
(retried with backoff, waiting for the connector, parked until something changes, held for review) and
what an admin can do about it, so the same change is never reported one way in the CLI and another in
the console.
"""

from __future__ import annotations

from enum import StrEnum

__all__ = ["Cause"]


class Cause(StrEnum):
    """The kind of reason a change waits. ``retries_by_itself`` says whether syncd tries again unasked."""

    #: a create into a system that needs a company, for a company it has no id for; tried again as soon
    #: as the company appears in the vendor's list or in ``company_map``
    NO_COMPANY = "no_company"
    #: the vendor knows the credentials but refuses the action (a role without the permission, an
    #: archived user): the connector is failing, and the change goes out once an admin fixes it
    PERMISSION = "permission"
    #: the credentials were refused: the connector is failing until they are fixed
    AUTH = "auth"
    #: a value the target cannot hold (too long, not an email, not in its list): parked until the value
    #: changes, so nothing is truncated or guessed
    INVALID = "invalid"
    #: the target would store the value differently and lose part of it (ITFlow's ``strip_tags``): parked,
    #: so the mangled form never spreads
    WOULD_MANGLE = "would_mangle"
    #: the vendor answered the write but does not hold what was sent (a dropped column, a cut value): the
    #: other systems keep the full value, and this one is marked unable to hold it
    LOST_ON_WRITE = "lost_on_write"
    #: the vendor refused the change and said (or did not say) why
    REJECTED = "rejected"
    #: a transient failure (timeout, 5xx, 429): retried with backoff
    UNAVAILABLE = "unavailable"
    #: the record to change is gone from the vendor; the next scan tells the planner the truth
    GONE = "gone"
    #: held for an admin's review: a record in the target may already be this person, or the record an
    #: unanswered create may have made does not hold what was sent
    REVIEW = "review"

    @property
    def retries_by_itself(self) -> bool:
        return self in _RETRIED

    @property
    def fix(self) -> str:
        """What an admin can do, in words (the console and ``syncd outbox show`` print it)."""
        return _FIXES[self]


_RETRIED = frozenset({Cause.NO_COMPANY, Cause.PERMISSION, Cause.AUTH, Cause.UNAVAILABLE})

_FIXES = {
    Cause.NO_COMPANY: "add the company to [connectors.NAME.company_map], set default_company_id, or create the "
                      "company in the vendor; the change goes out in the next cycle by itself",
    Cause.PERMISSION: "grant the permission to the user the credentials belong to; the change goes out by itself",
    Cause.AUTH: "fix the credentials in the configuration (then SIGHUP or restart); the change goes out by itself",
    Cause.INVALID: "shorten or correct the value in the system it came from, or retry after changing the vendor",
    Cause.WOULD_MANGLE: "write the value without the characters the vendor strips, in the system it came from",
    Cause.LOST_ON_WRITE: "check that the vendor instance accepts this field; `syncd outbox retry ID` once it does",
    Cause.REJECTED: "read the vendor's message; `syncd outbox retry ID` once the cause is fixed",
    Cause.UNAVAILABLE: "nothing: syncd retries with backoff",
    Cause.GONE: "nothing: the next scan shows whether the record was deleted",
    Cause.REVIEW: "decide the review item (`syncd review list`)",
}
