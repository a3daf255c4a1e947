"""Evaluation against ground truth: the figures the bench and `match evaluate` print."""

from __future__ import annotations

import pandas as pd
import pytest

from tracker.matching.evaluate import evaluate_links


def test_precision_recall_and_f1_per_band():
    links = pd.DataFrame(
        {
            "travel_key": ["a", "b", "c", "d"],
            "offender_key": ["X", "Y", "Z", "X"],
            "band": ["match", "match", "review", "review"],
            "match_probability": [0.99, 0.95, 0.5, 0.2],
        }
    )
    truth = pd.DataFrame(
        {
            "travel_key": ["a", "b", "c", "d", "e"],
            "offender_key": ["X", "Q", "Z", "", "W"],
            "corruptions": ["exact", "typo", "order_swap|typo", "", "exact"],
            "category": ["offender", "offender", "offender", "public", "offender"],
        }
    )
    result = evaluate_links(links, truth)
    assert result.true_links == 4
    match = result.bands["match"]
    assert (match.links, match.correct) == (2, 1)
    assert match.precision == pytest.approx(0.5) and match.recall == pytest.approx(0.25)
    both = result.bands["match + review"]
    assert both.correct == 2 and both.recall == pytest.approx(0.5)
    assert result.recall_by_corruption["exact"] == (2, 0.5)
    assert result.recall_by_corruption["typo"] == (2, 0.5)
    assert result.false_links_by_category == {"offender": 1, "public": 1}
    assert "precision" in result.as_text()


def test_calibration_bins_report_predicted_and_observed_and_their_gap():
    links = pd.DataFrame(
        {
            "travel_key": [f"t{i}" for i in range(10)],
            "offender_key": ["X"] * 10,
            "band": ["match"] * 10,
            "match_probability": [0.95] * 10,
        }
    )
    truth = pd.DataFrame(
        {"travel_key": [f"t{i}" for i in range(10)], "offender_key": ["X"] * 9 + ["Y"]}
    )
    result = evaluate_links(links, truth)
    [(low, high, n, predicted, share)] = result.calibration
    assert (low, high, n) == (pytest.approx(0.9), 1.0, 10)
    assert predicted == pytest.approx(0.95) and share == pytest.approx(0.9)
    assert result.calibration_error == pytest.approx(0.05)
    assert "expected calibration error: 0.0500" in result.as_text()
