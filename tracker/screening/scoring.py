"""A manifest's travellers scored against the register held in memory, as the nightly scores
them: blocked by the register's key runs, compared with the people they meet, weighed with
the stored model and the travel table's name counts, each one's best candidate linked."""

from __future__ import annotations

import numpy as np
import pandas as pd

from tracker.matching.blocking import CandidatePairs
from tracker.matching.codes import shared_codes
from tracker.matching.compare import compare_pairs
from tracker.matching.explain import explain_links
from tracker.matching.frequencies import JOINT_FAMILY_LEVEL, JOINT_GIVEN_LEVELS
from tracker.matching.link import choose_best_links
from tracker.matching.model import MatchParameters
from tracker.matching.prepare import PreparedTravel, pair_positions
from tracker.matching.scoring import score
from tracker.matching.settings import LinkSettings
from tracker.screening.register_index import RegisterIndex, register_subset
from tracker.screening.travel_stats import TravelStatistics

LINK_COLUMNS = (
    "travel_key",
    "offender_key",
    "match_probability",
    "match_weight",
    "band",
    "explanation",
)


def score_travellers(
    travel: PreparedTravel,
    index: RegisterIndex,
    statistics: TravelStatistics,
    model: MatchParameters,
    settings: LinkSettings,
    suppressed: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Each traveller's link (``LINK_COLUMNS``), at most one, above the review threshold;
    ``suppressed``: (travel_key, offender_key) pairs an analyst dismissed."""
    candidates = index.candidates(travel)
    if len(travel) == 0 or len(candidates) == 0:
        return pd.DataFrame({column: [] for column in LINK_COLUMNS})
    people, o = np.unique(candidates.o, return_inverse=True)
    register = register_subset(index.register, people)
    pairs = CandidatePairs(candidates.t, o.astype(np.int64), candidates.per_pass)
    comparisons = compare_pairs(pairs, travel, register, shared_codes(travel, register))
    frame = comparisons.frame
    records = travel.records
    frequencies = {
        "family_name": statistics.term_frequencies(
            "family_core", [*records["family_core"], *records["given"]]
        ),
        "given_names": statistics.term_frequencies(
            "given", [*records["given"], *records["family"]]
        ),
    }
    register_dob = register.people["dob"].to_numpy()[frame["o"].to_numpy()]
    # Only pairs agreeing on the whole family name and a given name weigh the joint counts.
    joint = (frame["family_name"].to_numpy() == JOINT_FAMILY_LEVEL) & np.isin(
        frame["given_names"].to_numpy(), list(JOINT_GIVEN_LEVELS)
    )
    names = statistics.name_frequencies(records, frame["t"].to_numpy()[joint], register_dob[joint])
    weights = score(comparisons, model, frequencies, names, register_dob)
    scored = pd.concat([frame, weights], axis=1)
    chosen = choose_best_links(scored, pair_positions(suppressed, travel, register), settings)
    return pd.DataFrame(
        {
            "travel_key": records["travel_key"].to_numpy()[chosen["t"].to_numpy()],
            "offender_key": register.people["offender_key"].to_numpy()[chosen["o"].to_numpy()],
            "match_probability": chosen["match_probability"].to_numpy(),
            "match_weight": chosen["match_weight"].to_numpy(),
            "band": chosen["band"].to_numpy(),
            "explanation": explain_links(chosen, model, register),
        }
    )
