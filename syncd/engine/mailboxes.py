"""Role addresses (info@, sales@, the configured ``shared_mailboxes``): a company's mailbox, not a person's.

A role address says how to reach a company; a personal address says who someone is. So when one system
knows a person only by the company's ``info@`` and the others know their own address, the shared one
never replaces the personal one: it stays where it was typed (and, in a system that holds several
addresses, beside the personal one).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from syncd.model import FieldValue, normalize_email

__all__ = ["DEFAULT_ROLE_MAILBOXES", "RoleAddresses"]

#: local parts that name a function rather than a person (the config's ``matching.shared_mailboxes`` default)
DEFAULT_ROLE_MAILBOXES: frozenset[str] = frozenset({
    "info", "sales", "support", "office", "admin", "contact", "hello", "team", "billing", "noreply",
    "no-reply", "accounts", "service", "help", "mail", "enquiries",
})

_SUFFIX = re.compile(r"[-_.+]?\d*$")


@dataclass(frozen=True, slots=True)
class RoleAddresses:
    local_parts: frozenset[str] = DEFAULT_ROLE_MAILBOXES

    def is_role(self, value: FieldValue) -> bool:
        """Is this a role address? ``info@``, ``Sales@``, ``support-2@`` and ``info+eu@`` are."""
        if not isinstance(value, str):
            return False
        email = normalize_email(value)
        if not email or "@" not in email:
            return False
        local = email.partition("@")[0].partition("+")[0]
        return local in self.local_parts or _SUFFIX.sub("", local) in self.local_parts
