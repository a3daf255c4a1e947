"""Row ids in addresses and forms: bounded integers, so an id no database column can hold
(``/flags/9223372036854775808``) is refused before any query rather than failing inside one.

A path id out of range or not a number answers 404 (there is no such page), see
``tracker.web.app``; a form id out of range is a bad request (400).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Form, Path

from tracker.row_ids import MAX_ROW_ID

# A package is named by its UUID (36 characters); anything much longer is not one.
MAX_PACKAGE_NAME = 64

RowId = Annotated[int, Path(ge=1, le=MAX_ROW_ID)]
FormRowId = Annotated[int, Form(ge=1, le=MAX_ROW_ID)]
PackageName = Annotated[str, Path(min_length=1, max_length=MAX_PACKAGE_NAME)]
