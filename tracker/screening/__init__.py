"""Screening a manifest now (issue 22): its travellers stored through the ingest path, scored
against the register held in memory with the stored model, and the rules for the offenders
hit (a departure inside the notice period without notice; level one)."""
