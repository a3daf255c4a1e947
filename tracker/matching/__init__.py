"""Linking travel records to the register. Works on DataFrames; knows nothing of the database."""
