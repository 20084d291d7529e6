"""The reports' reads, one module per area: each reads the domain apps through their selectors."""
