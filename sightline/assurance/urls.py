from .views import audits, data, groups, inspections, papers, plan, risks

app_name = "assurance"

urlpatterns = [
    *risks.urlpatterns,
    *inspections.urlpatterns,
    *audits.urlpatterns,
    *groups.urlpatterns,
    *papers.urlpatterns,
    *data.urlpatterns,
    *plan.urlpatterns,
]
