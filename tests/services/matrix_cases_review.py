"""Permission-matrix rows for the analysts' actions: links, flags, review, matching, reports."""

from __future__ import annotations

from service_matrix import ServiceCase

from tracker.services.link_export import export_links

CASES = [
    ServiceCase("links.export", lambda s, who, w, tmp: export_links(s, who, w.run_id)),
]
