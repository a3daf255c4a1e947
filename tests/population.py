"""A small synthetic population for matching and review tests: enough pairs for EM to learn
from, plus the hand-made hard cases each test adds. Names are invented from pools."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd

FAMILY = [
    "SMITH",
    "JONES",
    "TAYLOR",
    "BROWN",
    "WILLIAMS",
    "WILSON",
    "JOHNSON",
    "DAVIES",
    "ROBINSON",
    "WRIGHT",
    "THOMPSON",
    "EVANS",
    "WALKER",
    "WHITE",
    "ROBERTS",
    "GREEN",
    "HALL",
    "WOOD",
    "JACKSON",
    "CLARKE",
    "NOWAK",
    "KOWALSKI",
    "WISNIEWSKI",
    "SCHMIDT",
    "SCHNEIDER",
    "FISCHER",
    "KHAN",
    "AHMED",
    "HUSSAIN",
    "PATEL",
    "SINGH",
    "OKAFOR",
    "ADEYEMI",
    "MENSAH",
    "NGUYEN",
    "TRAN",
    "CHEN",
    "WANG",
    "YILMAZ",
    "KAYA",
    "GARCIA",
    "FERNANDEZ",
    "SILVA",
    "SANTOS",
    "DE JONG",
    "JANSEN",
    "MURPHY",
    "KELLY",
    "IVANOV",
    "PETROV",
]
GIVEN = [
    "JOHN",
    "DAVID",
    "MICHAEL",
    "PAUL",
    "ANDREW",
    "MARK",
    "JAMES",
    "PETER",
    "RICHARD",
    "THOMAS",
    "PIOTR",
    "TOMASZ",
    "KRZYSZTOF",
    "HANS",
    "STEFAN",
    "IMRAN",
    "TARIQ",
    "RAVI",
    "ARJUN",
    "CHINEDU",
    "KWAME",
    "MINH",
    "WEI",
    "MEHMET",
    "CARLOS",
    "JOAO",
    "JAN",
    "SEAN",
    "DMITRI",
    "SERGEI",
    "ANNA",
    "MARIA",
    "SARAH",
    "FATIMA",
    "AISHA",
    "PRIYA",
    "NGOZI",
    "LINH",
    "ELIF",
    "LUCIA",
    "EMMA",
    "SOPHIE",
    "KATARZYNA",
    "OLGA",
]


def _dob(rng: np.random.Generator, n: int) -> list[str]:
    start = date(1950, 1, 1)
    return [(start + timedelta(days=int(d))).isoformat() for d in rng.integers(0, 365 * 50, n)]


def build_population() -> dict[str, pd.DataFrame]:
    """400 register entries with passports; 400 exact-ish trips and 3,000 public travellers."""
    rng = np.random.default_rng(5)
    n = 400
    register = pd.DataFrame(
        {
            "offender_key": [f"VR-{i:07d}" for i in range(n)],
            "family_name": rng.choice(FAMILY, n),
            "given_names": [" ".join(rng.choice(GIVEN, int(k))) for k in rng.integers(1, 3, n)],
            "date_of_birth": _dob(rng, n),
            "sex": rng.choice(["M", "F"], n),
            "nationalities": rng.choice(["GBR", "POL", "GBR|IRL", "DEU", "IND"], n),
        }
    )
    documents = pd.DataFrame(
        {
            "offender_key": register["offender_key"],
            "doc_number": [f"{x:09d}" for x in rng.integers(10**8, 10**9, n)],
            "issuing_country": "GBR",
        }
    )
    trips = register.sample(n, replace=True, random_state=1).reset_index(drop=True)
    trips_docs = documents.set_index("offender_key").loc[trips["offender_key"], "doc_number"]
    offender_travel = pd.DataFrame(
        {
            "travel_key": [f"api/{i}" for i in range(n)],
            "family_name": trips["family_name"].to_numpy(),
            "given_names": trips["given_names"].str.split(" ").str[0].to_numpy(),
            "date_of_birth": trips["date_of_birth"].to_numpy(),
            "sex": trips["sex"].to_numpy(),
            "nationality": trips["nationalities"].str[:3].to_numpy(),
            "doc_number": np.where(rng.random(n) < 0.8, trips_docs.to_numpy(), "X" + "1" * 8),
            "doc_issuing_country": "GBR",
            "true_offender": trips["offender_key"].to_numpy(),
        }
    )
    m = 3000
    public = pd.DataFrame(
        {
            "travel_key": [f"pub/{i}" for i in range(m)],
            "family_name": rng.choice(FAMILY, m),
            "given_names": rng.choice(GIVEN, m),
            "date_of_birth": _dob(rng, m),
            "sex": rng.choice(["M", "F"], m),
            "nationality": rng.choice(["GBR", "FRA", "USA", "POL"], m),
            "doc_number": [f"{x:09d}" for x in rng.integers(10**8, 10**9, m)],
            "doc_issuing_country": "GBR",
            "true_offender": None,
        }
    )
    travel = pd.concat([offender_travel, public], ignore_index=True)
    aliases = pd.DataFrame(columns=["offender_key", "family_name", "given_names", "kind"])
    return {"register": register, "documents": documents, "travel": travel, "aliases": aliases}
