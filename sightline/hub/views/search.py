"""Search: the hub's public search, and the signed-in search across what a person may see."""

from django.urls import path

from .base import placeholder

urlpatterns = [
    path("search/", placeholder("Search the learning hub"), name="search"),
]
