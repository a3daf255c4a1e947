"""Commands kept out of ``tracker/cli.py`` (already long), each registered on its group there."""
