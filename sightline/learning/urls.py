from django.urls import path

from . import views

app_name = "learning"

urlpatterns = [
    path("learning/report/", views.LearningReportView.as_view(), name="report"),
    path("learning/import/", views.LearningImportView.as_view(), name="import"),
]
