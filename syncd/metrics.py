"""Prometheus metrics, defined once. The daemon serves them on ``/metrics``."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

__all__ = [
    "CHANGES",
    "CYCLE_SECONDS",
    "LAST_SUCCESS",
    "RECORDS_SCANNED",
    "UNREADABLE_TIMES",
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
UNREADABLE_TIMES = Counter(
    "syncd_vendor_unreadable_timestamps_total",
    "Vendor timestamps syncd could not read (the change then counts as of an unknown time)", ["system", "field"],
)
RECORDS_SCANNED = Counter("syncd_records_scanned_total", "Records read by scans", ["system"])
CHANGES = Counter("syncd_changes_total", "Change-sets executed", ["system", "operation", "outcome"])
CYCLE_SECONDS = Histogram(
    "syncd_cycle_seconds", "Duration of sync cycles", buckets=(0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600)
)
LAST_SUCCESS = Gauge("syncd_last_success_timestamp_seconds", "Last successful scan per connector", ["system"])
REVIEW_BACKLOG = Gauge("syncd_review_backlog", "Open review items")
CONFLICT_BACKLOG = Gauge("syncd_conflict_backlog", "Open conflicts")


def observe_vendor_request(system: str, method: str, status_class: str, seconds: float) -> None:
    VENDOR_REQUESTS.labels(system, method, status_class).inc()
    VENDOR_LATENCY.labels(system).observe(seconds)
