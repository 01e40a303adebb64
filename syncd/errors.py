"""syncd's errors, grouped by how they are handled.

::

    SyncdError
    ├── ConfigError                 bad configuration: refuse to start, exit code 2
    ├── StoreError                  the store is missing, outdated or unreachable
    ├── GuardError                  a data-loss guard stopped one system's deletes or cycle
    │   ├── SourceEmpty             a scan returned nothing where there was data
    │   ├── DeleteRatioExceeded     too many deletions in one cycle
    │   └── DuplicateRemoteId       a scan returned the same id twice
    └── ConnectorError              anything a vendor call can raise; the engine sees only these
        ├── RetriableError          transient: retry with backoff (idempotent calls only)
        │   └── RateLimited         429, with the vendor's Retry-After
        ├── SkippableError          this record or change fails; the cycle goes on, the reason is kept
        │   ├── ValidationError     the value cannot be held by the target (caught before sending)
        │   ├── RejectedError       the vendor refused the change (its message kept)
        │   └── NotFoundError       the record is gone
        └── FatalError              this connector stops for this cycle; the others go on
            ├── AuthError           credentials refused, even after one refresh
            │   └── PermissionDenied  the credentials work but may not do this (ITFlow 403): an admin's fix;
            │                         the connector is failing and its changes wait, never parked
            └── ProtocolError       the vendor answered something we cannot read

Messages never carry secrets: connectors build them from the method, the path (without query) and
the vendor's own message, and :mod:`syncd.logging` redacts anything that still looks like a token.
"""

from __future__ import annotations

__all__ = [
    "AuthError",
    "ConfigError",
    "ConnectorError",
    "DeleteRatioExceeded",
    "DuplicateRemoteId",
    "FatalError",
    "GuardError",
    "NotFoundError",
    "PermissionDenied",
    "ProtocolError",
    "RateLimited",
    "RejectedError",
    "RetriableError",
    "SkippableError",
    "SourceEmpty",
    "StoreError",
    "SyncdError",
    "ValidationError",
]


class SyncdError(Exception):
    """Base of every error syncd raises on purpose."""


class ConfigError(SyncdError):
    """The configuration is wrong; ``problems`` holds one readable line per problem."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("; ".join(problems))


class StoreError(SyncdError):
    """The store cannot be used as it is (not migrated, unreachable)."""


class GuardError(SyncdError):
    """A data-loss guard fired for one system: its deletes (or whole cycle) are held back."""

    def __init__(self, system: str, message: str) -> None:
        self.system = system
        super().__init__(f"{system}: {message}")


class SourceEmpty(GuardError):
    """A complete scan returned no records where the store knows of some."""


class DeleteRatioExceeded(GuardError):
    """More records vanished in one cycle than ``sync.max_delete_ratio`` allows."""


class DuplicateRemoteId(GuardError):
    """A scan returned the same remote id twice: the listing is not trustworthy."""


class ConnectorError(SyncdError):
    """A vendor call failed. ``system`` names the connector; ``status`` is the HTTP status if any."""

    def __init__(self, system: str, message: str, *, status: int | None = None) -> None:
        self.system = system
        self.status = status
        self.message = message
        super().__init__(f"{system}: {message}")


class RetriableError(ConnectorError):
    """Transient: a connect error, a timeout, a 5xx, a 429. Safe to retry idempotent calls."""


class RateLimited(RetriableError):
    """The vendor asked us to slow down; ``retry_after`` is in seconds when it said how long."""

    def __init__(
        self, system: str, message: str, *, status: int | None = 429, retry_after: float | None = None
    ) -> None:
        super().__init__(system, message, status=status)
        self.retry_after = retry_after


class SkippableError(ConnectorError):
    """This one record or change cannot be done; the rest of the cycle goes on."""


class ValidationError(SkippableError):
    """A value the target cannot hold (too long, invalid, missing a required field)."""


class RejectedError(SkippableError):
    """The vendor refused the change and said why (or did not)."""


class NotFoundError(SkippableError):
    """The record does not exist (any more) in the vendor."""


class FatalError(ConnectorError):
    """This connector cannot go on in this cycle."""


class AuthError(FatalError):
    """Credentials refused, even after one refresh."""


class PermissionDenied(AuthError):
    """The vendor knows the credentials but refuses this action (a role without the permission, an
    archived user, a key tied to no user). Not the record's fault: the change waits until an admin fixes it."""


class ProtocolError(FatalError):
    """The vendor answered something that cannot be read (HTML, truncated JSON, wrong shape)."""
