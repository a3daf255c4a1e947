"""Services: the database-facing steps the CLI and the nightly job call (load, run, persist)."""
