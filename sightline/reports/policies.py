"""Who may see and write the reports."""
