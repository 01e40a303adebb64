"""syncd: keeps contacts in sync between Flowtrac, Lightening, ITFlow and Cirrus 2."""

from __future__ import annotations

__version__ = "0.1.0"
