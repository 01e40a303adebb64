"""Lightening's paging, which no document describes: which parameters does this instance honour?

A list answers ``{"entities": [...], "total": N}``; when ``total`` is more than came back, there are more
pages, but nothing says how to ask for them. PHP portals commonly take one of a few pairs, so the second
page is asked for in each form in turn, and the form whose answer moved on to new ids is the one this
instance honours: it is remembered for the connector's life. Asking with a form the instance ignores
returns the first page again, which is exactly what the check detects (an instance honouring
``offset``/``limit`` asked for ``page=2`` returns page 1: the "id 18 twice" failure that sank every scan).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["GUESSES", "NO_PAGING", "PagingForm", "parse_form"]

#: names of a "first item" parameter that counts items (0-based); any other counts pages (1-based)
_OFFSET_NAMES = frozenset({"offset", "start", "skip", "from", "first"})


@dataclass(frozen=True, slots=True)
class PagingForm:
    """A pair of query parameters: where a page starts, and how many per page."""

    start: str
    size: str

    @property
    def counts_items(self) -> bool:
        return self.start in _OFFSET_NAMES

    def params(self, index: int, size: int) -> list[tuple[str, str]]:
        """The query for page ``index`` (0-based) of ``size`` items."""
        where = index * size if self.counts_items else index + 1
        return [(self.start, str(where)), (self.size, str(size))]

    def __str__(self) -> str:
        return f"{self.start}/{self.size}"


#: tried in this order when the form is not configured
GUESSES: tuple[PagingForm, ...] = (PagingForm("offset", "limit"), PagingForm("page", "limit"),
                                   PagingForm("page", "per_page"), PagingForm("start", "length"))
#: the instance pages by none of the forms tried (or the admin said it does not page)
NO_PAGING = PagingForm("", "")


def parse_form(text: str) -> PagingForm | None:
    """``"auto"`` -> None (detect); ``"none"`` -> :data:`NO_PAGING`; ``"skip/take"`` -> that pair (a first
    parameter named offset, start, skip, from or first counts items from 0, any other counts pages from 1)."""
    value = text.strip().lower()
    if value == "auto":
        return None
    if value == "none":
        return NO_PAGING
    start, sep, size = value.partition("/")
    if not sep or not start.strip() or not size.strip():
        raise ValueError(f"paging must be auto, none, or START/SIZE parameter names such as offset/limit, not {text!r}")
    return PagingForm(start.strip(), size.strip())
