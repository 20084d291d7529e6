from .views import drafting

app_name = "reports"

urlpatterns = [*drafting.urlpatterns]
