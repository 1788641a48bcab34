"""The portal's URLs plus ``/bench/hello``: the cheapest Django page, through the full
middleware stack, as the baseline of ``bench gate``."""

from django.http import HttpResponse
from django.urls import path

from icpportal.urls import urlpatterns as portal_urlpatterns


def hello(request):
    return HttpResponse("Hello, world", content_type="text/plain")


urlpatterns = [path("bench/hello", hello), *portal_urlpatterns]
