"""The public hub's pages: no sign-in, only what is published."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
