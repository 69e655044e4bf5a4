"""Which stories a search or an export covers: one site, a range of publication dates."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa

from storage.schema import stories


@dataclass(frozen=True)
class Selection:
    """Stories of ``site`` (host[:port]) published from ``since`` to ``until``, both days included.

    A date bound leaves out stories whose publication date is unknown.
    """

    site: str | None = None
    since: date | None = None
    until: date | None = None

    def __post_init__(self) -> None:
        if self.since and self.until and self.since > self.until:
            raise ValueError(f"since ({self.since}) is after until ({self.until})")

    def where(self) -> list[sa.ColumnElement[bool]]:
        """Return the conditions on the ``stories`` table; dates compare as ISO strings, as they are stored."""
        conditions = []
        if self.site is not None:
            conditions.append(stories.c.site == self.site)
        if self.since is not None:
            conditions.append(stories.c.published >= self.since.isoformat())
        if self.until is not None:
            conditions.append(stories.c.published < (self.until + timedelta(days=1)).isoformat())
        return conditions


#: Every story.
EVERYTHING = Selection()
