"""The bound every row id is checked against, in the web (``tracker.web.ids``) and on the
command line (``tracker.cli.options``): a signed 64-bit column's largest value, so an id
no column can hold is refused before any query rather than failing inside one."""

MAX_ROW_ID = 2**63 - 1  # PostgreSQL BIGINT, SQLite INTEGER
