"""The business unit's pages for the hub: drafting, publishing, withdrawing."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
