"""The newsletter: subscribing with double opt-in, one-click unsubscribing, the archive,
and the business unit's composing and sending."""

from django.urls import path

from .base import placeholder

urlpatterns = [
    path("newsletter/", placeholder("Newsletter"), name="subscribe"),
]
