"""Seven-minute briefings: the public page and its Word and slide downloads, and the
business unit's drafting and finishing."""

from django.urls import path

from .base import placeholder

urlpatterns = [
    path("briefings/", placeholder("Seven-minute briefings"), name="briefings"),
    path("briefings/<slug:slug>/", placeholder("Seven-minute briefing"), name="briefing"),
]
