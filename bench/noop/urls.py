from django.http import HttpResponse
from django.urls import path


def nothing(request):
    return HttpResponse(b"ok", content_type="text/plain")


urlpatterns = [path("noop/", nothing), path("healthz", nothing)]
