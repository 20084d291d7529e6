from django.dispatch import Signal

# Sent after closure days change, so that apps holding due dates can recount them.
working_days_changed = Signal()
