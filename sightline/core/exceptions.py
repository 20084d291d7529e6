from django.http import Http404


class NotVisibleError(Http404):
    """The record exists, but this user may not know it does: answered as not found."""
