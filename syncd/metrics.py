"""Prometheus metrics, defined once. The daemon serves them on ``/metrics``."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

__all__ = [
    "CHANGES",
    "CYCLE_SECONDS",
    "LAST_SUCCESS",
    "RECORDS_SCANNED",
    "VENDOR_LATENCY",
    "VENDOR_REQUESTS",
    "observe_vendor_request",
]

VENDOR_REQUESTS = Counter(
    "syncd_vendor_requests_total", "Requests sent to vendors", ["system", "method", "status_class"]
)
VENDOR_LATENCY = Histogram(
    "syncd_vendor_request_seconds", "Vendor request latency", ["system"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
RECORDS_SCANNED = Counter("syncd_records_scanned_total", "Records read by scans", ["system"])
CHANGES = Counter("syncd_changes_total", "Change-sets executed", ["system", "operation", "outcome"])
CYCLE_SECONDS = Histogram(
    "syncd_cycle_seconds", "Duration of sync cycles", buckets=(0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600)
)
LAST_SUCCESS = Gauge("syncd_last_success_timestamp_seconds", "Last successful scan per connector", ["system"])
REVIEW_BACKLOG = Gauge("syncd_review_backlog", "Open review items")
OUTBOX_BACKLOG = Gauge("syncd_outbox_not_done", "Changes not done yet, by system, status and cause",
                       ["system", "status", "cause"])
CONNECTOR_FAILING = Gauge("syncd_connector_failing", "1 while a connector cannot scan or write", ["system", "kind"])
CONFLICT_BACKLOG = Gauge("syncd_conflict_backlog", "Open conflicts")


def observe_vendor_request(system: str, method: str, status_class: str, seconds: float) -> None:
    VENDOR_REQUESTS.labels(system, method, status_class).inc()
    VENDOR_LATENCY.labels(system).observe(seconds)


def set_outbox_backlog(backlog: dict[str, dict[str, int]]) -> None:
    """Replace the backlog gauges of these systems (a cause that cleared drops to zero)."""
    for system, counts in backlog.items():
        for labels in list(OUTBOX_BACKLOG._metrics):
            if labels[0] == system and f"{labels[1]}/{labels[2]}" not in counts:
                OUTBOX_BACKLOG.labels(*labels).set(0)
        for key, count in counts.items():
            status, _, cause = key.partition("/")
            OUTBOX_BACKLOG.labels(system, status, cause).set(count)
