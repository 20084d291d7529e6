from django.urls import include, path

from sightline.core import background_views
from sightline.core import views as core_views

urlpatterns = [
    path("", include("sightline.accounts.urls")),
    path("", include("sightline.core.urls")),
    path("", include("sightline.reviews.urls")),
    path("", include("sightline.learning.urls")),
    path("", include("sightline.training.urls")),
    path("", include("sightline.assurance.urls")),
    path("", include("sightline.reports.urls")),
    path("hub/", include("sightline.hub.urls")),
    path("health/", core_views.health, name="health"),
    path("health/queue/", background_views.queue_health, name="health_queue"),
]

handler400 = "sightline.core.views.error_400"
handler403 = "sightline.core.views.error_403"
handler404 = "sightline.core.views.error_404"
handler500 = "sightline.core.views.error_500"
