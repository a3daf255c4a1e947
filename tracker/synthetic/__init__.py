"""Deterministic synthetic data for the tracker: a register, notification histories, travel
records (CSV, JSON Lines, UN/EDIFACT PAXLST) and the ground truth to score matching and
compliance against. Synthetic people only: names are random combinations of common names.

    from tracker.synthetic import generate
    summary = generate(Path("inbox"), offenders=300, travel=3000, seed=7)
"""

from tracker.synthetic.generate import GENERATOR_VERSION, GenerationSummary, generate

__all__ = ["GENERATOR_VERSION", "GenerationSummary", "generate"]
