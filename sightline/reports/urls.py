from .views import dashboards, drafting, executive, pack, yearly

app_name = "reports"

urlpatterns = [
    *dashboards.urlpatterns,
    *executive.urlpatterns,
    *pack.urlpatterns,
    *yearly.urlpatterns,
    *drafting.urlpatterns,
]
