from .views import executive, pack

app_name = "reports"

urlpatterns = [*pack.urlpatterns, *executive.urlpatterns]
