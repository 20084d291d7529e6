"""The public hub's pages: no sign-in, only what is published."""

from django.urls import path

from .base import placeholder

urlpatterns = [
    path("", placeholder("Learning hub"), name="index"),
    path("reviews/", placeholder("Published reviews"), name="reviews"),
    path("reviews/<slug:slug>/", placeholder("Published review"), name="review"),
    path("resources/", placeholder("Resources"), name="resources"),
    path("resources/<slug:slug>/", placeholder("Resource"), name="resource"),
    path("news/", placeholder("News"), name="news"),
    path("news/<slug:slug>/", placeholder("News"), name="news_item"),
    path("themes/<int:pk>/", placeholder("Practice theme"), name="theme"),
    path("accessibility/", placeholder("Accessibility statement"), name="accessibility"),
    path("privacy/", placeholder("Privacy notice"), name="privacy"),
    path("cookies/", placeholder("Cookies"), name="cookies"),
]
