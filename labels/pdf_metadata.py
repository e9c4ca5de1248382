"""What a PDF says about itself (its document information): title, author, creation time.

reportlab's `invariant` mode keeps a file's bytes the same for the same drawing (no random id,
no clock) but dates every file 2000-01-01; here the creation time is the caller's, so a file
stays reproducible for a given moment and still tells a printer queue or an archive when it
was made.
"""

from __future__ import annotations

import datetime

from reportlab.pdfgen.canvas import Canvas


class _Stamp:
    """The part of reportlab's TimeStamp that the document information reads, in UTC."""

    def __init__(self, at: datetime.datetime) -> None:
        utc = at.astimezone(datetime.UTC)
        self.t = utc.timestamp()
        self.YMDhms = (utc.year, utc.month, utc.day, utc.hour, utc.minute, utc.second)
        self.dhh = self.dmm = 0
        self.tzname = "UTC"


def describe(
    canvas: Canvas,
    *,
    title: str,
    author: str,
    subject: str,
    created_at: datetime.datetime | None = None,
) -> None:
    """Set the document information of the PDF being drawn on `canvas` (creation time: now,
    unless `created_at` is given)."""
    canvas.setTitle(title)
    canvas.setAuthor(author)
    canvas.setSubject(subject)
    canvas.setCreator("Radura")
    canvas._doc._timeStamp = _Stamp(created_at or datetime.datetime.now(datetime.UTC))
