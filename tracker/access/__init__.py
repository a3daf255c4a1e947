"""Who may act: people, their passwords and roles, sign-in throttling and the permission table.

Every layer reads it; only the use cases in ``tracker.services`` refuse with it.
"""
