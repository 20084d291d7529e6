"""The reports' views, one module per area."""
