"""`Allow` on automatic OPTIONS answers that names every method of the path.

Litestar registers a controller's handlers one at a time; when a second handler joins a path
(GET beside POST), the route is rebuilt but keeps the automatic OPTIONS handler made for the
first one, which reads the method list of that first, discarded route: `OPTIONS
/api/v1/organizations` answered `Allow: OPTIONS, POST`. Pointing each such handler's route at
the final method list once, after the app is built, fixes every path at no cost per request.
"""

from __future__ import annotations

from litestar import Litestar
from litestar.routes import HTTPRoute


def _route_read_by(handler: object) -> HTTPRoute | None:
    """The route whose methods Litestar's automatic OPTIONS handler lists (its closure's)."""
    fn = getattr(handler, "fn", None)
    if getattr(fn, "__name__", "") != "options_handler":
        return None
    for cell in getattr(fn, "__closure__", None) or ():
        if isinstance(cell.cell_contents, HTTPRoute):
            return cell.cell_contents
    return None


def complete_allow_headers(app: Litestar) -> None:
    for route in app.routes:
        if not isinstance(route, HTTPRoute) or "OPTIONS" not in route.route_handler_map:
            continue
        read = _route_read_by(route.route_handler_map["OPTIONS"][0])
        if read is not None and read is not route:
            read.methods = route.methods
