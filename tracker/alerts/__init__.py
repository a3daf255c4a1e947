"""Level-one alerts reaching people: the message (``message``), e-mail through the installation's
SMTP server (``email``), the signed webhook (``webhook``) and the delivery of both after the
raising transaction commits, in a worker thread under `tracker serve` (``dispatch``).

Raising, acknowledging and escalating are use cases in ``tracker.services.alerts``."""
