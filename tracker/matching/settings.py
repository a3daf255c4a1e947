"""How the matcher blocks, compares and bands (Splink's settings): data, validated once, and
stored with every model it trains so a model can say what it was trained with."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, model_validator

from tracker.matching.blocking import PASSES
from tracker.matching.compare import FIELD_LEVELS

PASS_NAMES = tuple(blocking_pass.name for blocking_pass in PASSES)


class LinkSettings(BaseModel):
    """How the matcher blocks, compares and bands: data, stored with every model it trains."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    match_threshold: float = 0.95
    review_threshold: float = 0.5
    u_sample_pairs: int = Field(200_000, gt=0)
    max_block: int = Field(500, gt=0, description="register people per blocking key, at most")
    seed: int = 20_260_301
    blocking_passes: tuple[str, ...] = PASS_NAMES

    @model_validator(mode="after")
    def _coherent(self) -> LinkSettings:
        if not 0 < self.review_threshold <= self.match_threshold < 1:
            raise ValueError(
                "thresholds must satisfy 0 < review <= match < 1 "
                f"(review {self.review_threshold}, match {self.match_threshold})"
            )
        unknown = sorted(set(self.blocking_passes) - set(PASS_NAMES))
        if unknown:
            raise ValueError(
                f"unknown blocking pass(es) {', '.join(unknown)}; known: {', '.join(PASS_NAMES)}"
            )
        return self

    def describe(self) -> dict:
        """The settings and the comparison levels they imply, as a stored model keeps them."""
        return {
            **self.model_dump(mode="json"),
            "comparison_levels": {
                name: {str(level): label for level, label in levels.items()}
                for name, levels in FIELD_LEVELS.items()
            },
        }
