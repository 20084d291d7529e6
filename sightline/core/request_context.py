"""What the current request knows about itself, for the audit trail (no ORM)."""

from contextvars import ContextVar

client_ip: ContextVar[str | None] = ContextVar("client_ip", default=None)
