"""Charts for the daily report, drawn with matplotlib and embedded as inline SVG.

Text is drawn as paths (no live text in the SVG), so a force or file name cannot inject markup,
and the page needs no font or any outside address.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from tracker.models.enums import SEVERITIES

plt.rcParams.update(
    {
        "svg.fonttype": "path",
        "font.size": 9,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "svg.hashsalt": "tracker",
    }
)
_METADATA = re.compile(r"<metadata>.*?</metadata>", re.DOTALL)
SEVERITY_COLOURS = {"critical": "#8b0000", "high": "#d9480f", "medium": "#f2a900", "low": "#6c8ebf"}


def _svg(figure) -> str:
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    plt.close(figure)
    text = buffer.getvalue()
    text = _METADATA.sub("", text[text.index("<svg") :])
    return text


def _empty(title: str) -> str:
    figure, axes = plt.subplots(figsize=(6, 1.2))
    axes.axis("off")
    axes.text(0.5, 0.5, f"{title}: nothing to show", ha="center", va="center")
    return _svg(figure)


def stacked_by_severity(counts: dict[tuple[str, str], int], title: str) -> str:
    """Horizontal bars per category, stacked by severity (counts keyed by (category, severity))."""
    categories = sorted(
        {c for c, _ in counts}, key=lambda c: -sum(v for (k, _), v in counts.items() if k == c)
    )
    if not categories:
        return _empty(title)
    figure, axes = plt.subplots(figsize=(7, 0.35 * len(categories) + 1.2))
    left = np.zeros(len(categories))
    for severity in SEVERITIES:
        values = np.array([counts.get((c, severity), 0) for c in categories])
        if values.any():
            axes.barh(
                categories, values, left=left, color=SEVERITY_COLOURS[severity], label=severity
            )
            left += values
    axes.invert_yaxis()
    axes.set_title(title)
    axes.legend(loc="lower right", fontsize=8, frameon=False)
    return _svg(figure)


def bars(values: Mapping[str, float], title: str, unit: str = "", colour: str = "#3b6ea5") -> str:
    if not values:
        return _empty(title)
    labels = list(values)
    figure, axes = plt.subplots(figsize=(7, 0.35 * len(labels) + 1.2))
    axes.barh(labels, [values[k] for k in labels], color=colour)
    axes.invert_yaxis()
    axes.set_title(title)
    if unit:
        axes.set_xlabel(unit)
    return _svg(figure)


def trend(runs: list[dict], title: str) -> str:
    """New flags and links per run over the last runs."""
    if not runs:
        return _empty(title)
    figure, axes = plt.subplots(figsize=(7, 2.6))
    x = [r["as_of"] for r in runs]
    for key, label, colour in (
        ("new_flags", "new flags", "#8b0000"),
        ("links", "links", "#3b6ea5"),
    ):
        axes.plot(x, [r[key] for r in runs], marker="o", label=label, color=colour)
    axes.set_title(title)
    axes.legend(frameon=False, fontsize=8)
    figure.autofmt_xdate()
    return _svg(figure)


def histogram(values: np.ndarray, title: str) -> str:
    if len(values) == 0:
        return _empty(title)
    figure, axes = plt.subplots(figsize=(7, 2.4))
    axes.hist(values, bins=np.linspace(0, 1, 21).tolist(), color="#3b6ea5", edgecolor="white")
    axes.set_xlabel("match probability")
    axes.set_ylabel("links")
    axes.set_title(title)
    return _svg(figure)
