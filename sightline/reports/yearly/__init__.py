"""The yearly report: its financial years, chapters and statutory contents (pure: no ORM),
the figures gathered from every app, and its three formats."""
