from .views import drafting, yearly

app_name = "reports"

urlpatterns = [*yearly.urlpatterns, *drafting.urlpatterns]
