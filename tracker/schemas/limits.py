"""The data contract's field limits (version 1.1), which the database columns are sized from.

A longer value rejects its row, naming the limit, before it can reach a column or slow the
matcher down; the contract decides the lengths and storage follows, never the reverse.
"""

NAME_LIMIT = 200
IDENTIFIER_LIMIT = 64
FREE_TEXT_LIMIT = 2_000
# Identifiers the contract holds to fewer characters than other identifiers.
POSTCODE_LIMIT = 20
FLIGHT_NUMBER_LIMIT = 20
