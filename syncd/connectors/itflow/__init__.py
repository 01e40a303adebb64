"""ITFlow (open-source PSA): string-typed PHP answers, limit/offset paging, client-bound contacts."""

from syncd.connectors.itflow.client import ITFlowConnector
from syncd.connectors.itflow.settings import ITFlowSettings

__all__ = ["ITFlowConnector", "ITFlowSettings"]
