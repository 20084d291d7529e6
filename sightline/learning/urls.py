from django.urls import path

from . import views

app_name = "learning"

urlpatterns = [
    path("learning/", views.RecommendationListView.as_view(), name="recommendation_list"),
    path("learning/report/", views.LearningReportView.as_view(), name="report"),
    path("learning/import/", views.LearningImportView.as_view(), name="import"),
    path("learning/export.<str:fmt>", views.LearningExportView.as_view(), name="export"),
    path("learning/themes/", views.ThemeProgressView.as_view(), name="themes"),
    path("learning/actions/", views.ActionListView.as_view(), name="action_list"),
    path(
        "learning/recommendations/new/",
        views.RecommendationFormView.as_view(),
        name="recommendation_create",
    ),
    path(
        "learning/recommendations/<int:pk>/",
        views.RecommendationDetailView.as_view(),
        name="recommendation_detail",
    ),
    path(
        "learning/recommendations/<int:pk>/edit/",
        views.RecommendationFormView.as_view(),
        name="recommendation_edit",
    ),
    path(
        "learning/recommendations/<int:pk>/actions/new/",
        views.ActionCreateView.as_view(),
        name="action_create",
    ),
    path("learning/actions/<int:pk>/", views.ActionDetailView.as_view(), name="action_detail"),
    path("learning/actions/<int:pk>/edit/", views.ActionEditView.as_view(), name="action_edit"),
    path(
        "learning/actions/<int:pk>/progress/", views.ProgressCreateView.as_view(), name="progress"
    ),
    path(
        "learning/actions/<int:pk>/evidence/", views.EvidenceCreateView.as_view(), name="evidence"
    ),
    path("learning/actions/<int:pk>/close/", views.ActionCloseView.as_view(), name="close"),
    path("learning/returns/", views.ReturnListView.as_view(), name="returns"),
    path("learning/returns/<int:pk>/", views.ReturnSubmitView.as_view(), name="return_submit"),
    path(
        "learning/returns/request/<int:case_pk>/",
        views.ReturnRequestView.as_view(),
        name="return_request",
    ),
]
