"""System assurance's selectors, one module per area."""
