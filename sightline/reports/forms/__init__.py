"""The reports' forms, one module per area."""
