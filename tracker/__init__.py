"""tracker: finds registered offenders who travel or move without the notice the law requires."""

__version__ = "0.1.0"
