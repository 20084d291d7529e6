"""System assurance's services, one module per area."""
