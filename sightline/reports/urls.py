from .views import drafting, executive, pack, yearly

app_name = "reports"

urlpatterns = [
    *pack.urlpatterns,
    *executive.urlpatterns,
    *yearly.urlpatterns,
    *drafting.urlpatterns,
]
