"""Expected shares of each comparison level among true matches: the model's starting belief.

EM and the anchor pairs learn m from the night's data; these shares are added to what they
count as ``M_PRIOR_PAIRS`` pseudo-pairs, so a level the data seldom shows (a transposed birth
date, a name in native order) keeps a sensible weight rather than the smoothing's accident.
They describe how carriers' records of one person differ (see docs/decisions.md).
"""

from __future__ import annotations

M_PRIOR_PAIRS = 20.0

M_PRIOR: dict[str, dict[int, float]] = {
    # exact, close or one edit, similar or sounds alike, different
    "family_name": {3: 0.88, 2: 0.07, 1: 0.03, 0: 0.02},
    # exact, same first, nickname, one edit, later name, sounds alike, initial, different
    "given_names": {7: 0.70, 6: 0.12, 5: 0.03, 4: 0.03, 3: 0.03, 2: 0.03, 1: 0.03, 0: 0.03},
    # as registered, swapped, joined or native order
    "name_order": {2: 0.93, 1: 0.05, 0: 0.02},
    # exact, day/month swapped, one day, one year, transposed, one digit, different
    "date_of_birth": {6: 0.90, 5: 0.02, 4: 0.015, 3: 0.02, 2: 0.01, 1: 0.02, 0: 0.015},
    # same number, misread character, different document
    "document": {2: 0.75, 1: 0.03, 0: 0.22},
    "sex": {1: 0.98, 0: 0.02},
    "nationality": {1: 0.95, 0: 0.05},
}
