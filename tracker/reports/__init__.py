"""What leaves the system: intelligence packages, the public feed, the daily report."""
