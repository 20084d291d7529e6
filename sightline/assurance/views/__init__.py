"""System assurance's views, one module per area."""
