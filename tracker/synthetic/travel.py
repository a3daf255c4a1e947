"""Travel records: the general public in bulk (vectorised), and single records of known
people (offenders, namesakes, relatives) on a trip leg.

The public is drawn from the same naming traditions as the register but is kept clear of
any register identity (no public traveller shares a register name *and* date of birth), so
every 'public' label in the truth file is really a non-match.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from tracker.synthetic.documents import EU, Ledger
from tracker.synthetic.habits import public_names
from tracker.synthetic.names import BLOCKED_KEYS, public_pools
from tracker.synthetic.profiles import DEFAULT, Profile
from tracker.synthetic.traditions import TRADITIONS
from tracker.synthetic.trips import ROUTE_COLUMNS, WINDOW_DAYS, Network, Trip

TRAVEL_COLUMNS = (
    "record_id",
    "source",
    "family_name",
    "given_names",
    "date_of_birth",
    "sex",
    "nationality",
    "doc_type",
    "doc_number",
    "doc_issuing_country",
    "direction",
    "departure_port",
    "arrival_port",
    "departure_country",
    "arrival_country",
    "departure_time",
    "carrier",
    "flight_number",
)


def _skewed(rng: np.random.Generator, pool: np.ndarray, n: int) -> np.ndarray:
    return pool[(len(pool) * rng.random(n) ** 1.8).astype(np.int64)]


_PUNCTUATION = str.maketrans("", "", "'-.,")
#: Stand-in surnames for the rare public draw that would spell a famous full name.
_PLAIN_SURNAMES = ("ASHWORTH", "PENROSE", "TREMAYNE", "HOLLINGWORTH", "WHITLOCK")


def _letters(name: str) -> str:
    """The first word of an upper-case carrier name, letters only."""
    return name.split(" ", 1)[0].translate(_PUNCTUATION)


class PublicFactory:
    """Vectorised members of the travelling public and their trips."""

    def __init__(
        self,
        network: Network,
        ledger: Ledger,
        avoid: set[str],
        rng: np.random.Generator,
        profile: Profile = DEFAULT,
    ):
        self.network, self.ledger, self.avoid, self.rng = network, ledger, avoid, rng
        self.profile = profile
        as_of = network.as_of
        mix = {k: profile.weight(k, t.public_weight) for k, t in TRADITIONS.items()}
        self.keys = tuple(k for k, w in mix.items() if w > 0)
        weights = np.array([mix[k] for k in self.keys])
        self.weights = weights / weights.sum()
        self.pools = {
            (k, s): {name: np.array(v, dtype=object) for name, v in public_pools(k, s).items()}
            for k in self.keys
            for s in "MF"
        }
        self.nat = {}
        for k in self.keys:
            codes: dict[str, float] = {}
            for combo, w in TRADITIONS[k].nationalities:
                parts = combo.split("|")
                for c in parts:
                    codes[c] = codes.get(c, 0) + w / len(parts)
            total = sum(codes.values())
            self.nat[k] = (
                np.array(list(codes), dtype=object),
                np.array(list(codes.values())) / total,
            )
        self.base = as_of.toordinal() - 95 * 366
        self.date_text = np.array(
            [date.fromordinal(o).isoformat() for o in range(self.base, as_of.toordinal() + 3700)],
            dtype=object,
        )
        self.as_of_ord = as_of.toordinal()

    # --- people ---------------------------------------------------------------------------

    def people(self, n: int) -> pd.DataFrame:
        """Identity columns of ``n`` public travellers (carrier style, upper case)."""
        rng = self.rng
        trad = rng.choice(len(self.keys), n, p=self.weights)
        male = rng.random(n) < 0.5
        family = np.empty(n, dtype=object)
        given = np.empty(n, dtype=object)
        nationality = np.empty(n, dtype=object)
        for t, key in enumerate(self.keys):
            tradition = TRADITIONS[key]
            in_t = trad == t
            codes, probs = self.nat[key]
            sel_t = np.flatnonzero(in_t)
            nationality[sel_t] = codes[rng.choice(len(codes), sel_t.size, p=probs)]
            for sex, mask in (("M", male), ("F", ~male)):
                sel = np.flatnonzero(in_t & mask)
                if not sel.size:
                    continue
                pools = self.pools[(key, sex)]
                first = _skewed(rng, pools["given"], sel.size)
                fam = _skewed(rng, pools["family"], sel.size)
                if tradition.family2_p:
                    second = _skewed(rng, pools["family"], sel.size)
                    two = (rng.random(sel.size) < tradition.family2_p) & (second != fam)
                    fam = np.where(two, fam + " " + second, fam)
                if len(pools["middle"]):
                    middle = _skewed(rng, pools["middle"], sel.size)
                    has = (rng.random(sel.size) < tradition.middle_p) & (middle != first)
                    if tradition.script == "vietnamese":
                        first = np.where(has, middle + " " + first, first)
                    else:
                        first = np.where(has, first + " " + middle, first)
                family[sel], given[sel] = fam, first
        frame = pd.DataFrame(
            {"family_name": family, "given_names": given, "nationality": nationality}
        )
        frame["sex"] = np.where(male, "M", "F").astype(object)
        frame.loc[rng.random(n) < 0.02, "sex"] = "U"
        age = np.where(
            rng.random(n) < 0.08,
            rng.integers(60, 18 * 365, n),
            18 * 365 + (rng.beta(2.0, 3.0, n) * 67 * 365).astype(np.int64),
        )
        dob = self.as_of_ord - age
        self._clear_of_register(frame, dob)
        frame["date_of_birth"] = self.date_text[dob - self.base]
        frame.loc[rng.random(n) < self.profile.public_missing_dob, "date_of_birth"] = ""
        self._documents(frame)
        if self.profile.public_habits:
            keys = np.array(self.keys, dtype=object)[trad]
            public_names(frame, keys, self.profile, rng)
        return frame

    def _clear_of_register(self, frame: pd.DataFrame, dob: np.ndarray) -> None:
        """No famous full names, and no register name with the register date of birth.
        Plain Python sets here: pandas' isin over a large set is far slower."""
        rng = self.rng
        family = frame["family_name"].to_numpy(dtype=object)
        first_given = [_letters(g) for g in frame["given_names"].to_numpy(dtype=object)]
        famous = np.array(
            [f"{g}|{_letters(f)}" in BLOCKED_KEYS for g, f in zip(first_given, family, strict=True)]
        )
        if famous.any():
            idx = np.flatnonzero(famous)
            family[idx] = rng.choice(np.array(_PLAIN_SURNAMES, dtype=object), idx.size)
            frame["family_name"] = family
        first_family = [_letters(f) for f in family]
        todo = np.arange(len(frame))
        for _ in range(6):
            texts = self.date_text[dob[todo] - self.base]
            clash = np.array(
                [
                    f"{first_family[i]}|{first_given[i]}|{t}" in self.avoid
                    or f"{first_given[i]}|{first_family[i]}|{t}" in self.avoid
                    for i, t in zip(todo, texts, strict=True)
                ],
                dtype=bool,
            )
            todo = todo[clash]
            if not todo.size:
                return
            dob[todo] -= rng.integers(400, 4000, todo.size)

    def _documents(self, frame: pd.DataFrame) -> None:
        rng = self.rng
        n = len(frame)
        nat = frame["nationality"].to_numpy()
        code = nat.copy()
        code[nat == "DEU"] = "D"
        gbr = np.flatnonzero(nat == "GBR")
        code[gbr[rng.random(gbr.size) < 0.01]] = "GBD"
        hkg = np.flatnonzero(nat == "HKG")
        code[hkg[rng.random(hkg.size) < 0.3]] = "GBN"
        german_mrz = np.flatnonzero((nat == "DEU") & (rng.random(n) < 0.5))
        frame.loc[frame.index[german_mrz], "nationality"] = "D"
        doc_type = np.full(n, "P", dtype=object)
        eu = np.isin(nat, list(EU))
        doc_type[eu & (rng.random(n) < 0.1)] = "I"
        none = rng.random(n) < self.profile.public_no_document
        number = self.ledger.bulk_passports(code, rng)
        doc_type[none], number[none], code[none] = "", "", ""
        frame["doc_type"], frame["doc_number"], frame["doc_issuing_country"] = (
            doc_type,
            number,
            code,
        )
        expiry = self.as_of_ord + rng.integers(60, 3600, n)
        frame["expiry"] = np.where(none, "", self.date_text[expiry - self.base])

    # --- trips ------------------------------------------------------------------------------

    def routes_and_days(self, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """For ``n`` people: first leg route/day, and the return leg (day -1: not seen)."""
        rng, net = self.rng, self.network
        abroad = rng.choice(len(net.abroad), n, p=net.abroad_weights / net.abroad_weights.sum())
        any_uk = rng.choice(len(net.uk), n, p=net.uk_weights / net.uk_weights.sum())
        hub_w = net.uk_weights * net.uk_hub
        hub_uk = rng.choice(len(net.uk), n, p=hub_w / hub_w.sum())
        uk = np.where(net.abroad_long[abroad], hub_uk, any_uk)
        base = (uk * len(net.abroad) + abroad) * 2
        return base, rng.integers(1, WINDOW_DAYS - 1, n), rng.integers(2, 22, n)

    def rows(self, n: int) -> pd.DataFrame:
        """``n`` public travel records (both legs of most round trips)."""
        rng = self.rng
        people_n = n // 2 + n // 5 + 8
        people = self.people(people_n)
        base, day0, length = self.routes_and_days(people_n)
        visitor = (people["nationality"].to_numpy() != "GBR") & (rng.random(people_n) < 0.5)
        first_dir = visitor.astype(np.int64)  # 0 out, 1 in
        day1 = day0 + length
        back = (day1 <= WINDOW_DAYS - 1) & (rng.random(people_n) < 0.85)
        who = np.concatenate([np.arange(people_n), np.flatnonzero(back)])
        route = np.concatenate([base + first_dir, (base + 1 - first_dir)[back]])
        day = np.concatenate([day0, day1[back]])
        order = rng.permutation(len(who))[:n]
        if len(order) < n:
            raise RuntimeError("public row generator fell short")  # cannot happen: 1.2x drawn
        who, route, day = who[order], route[order], day[order]
        frame = people.iloc[who].reset_index(drop=True)
        return self.on_routes(frame, route, day)

    def on_routes(self, frame: pd.DataFrame, route: np.ndarray, day: np.ndarray) -> pd.DataFrame:
        """Add the flight columns of ``route`` on day index ``day`` to identity ``frame``."""
        net = self.network
        for col in ROUTE_COLUMNS:
            frame[col] = net.routes[col][route]
        frame["departure_time"] = net.departure_times(route, day)
        frame["record_id"] = ""
        return frame


def trip_record(network: Network, trip: Trip, leg: str, identity: dict[str, str]) -> dict:
    """One travel row of a known person on the ``out`` or ``in`` leg of ``trip``."""
    r = network.route(trip.uk, trip.abroad, leg)
    day = trip.out_day if leg == "out" else trip.back_day
    assert day is not None
    row = {col: network.routes[col][r] for col in ROUTE_COLUMNS}
    row.update(identity)
    row["departure_time"] = network.departure_time(r, day)
    row["record_id"] = ""
    row["_route"], row["_day"] = r, network.day_index(day)
    return row
