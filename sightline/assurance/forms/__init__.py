"""System assurance's forms, one module per area."""
