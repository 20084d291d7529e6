"""A URL configuration of one page, for a test that changes ``ROOT_URLCONF``."""

from django.http import HttpResponse
from django.urls import path

urlpatterns = [path("somewhere-else/", lambda request: HttpResponse(), name="health")]
