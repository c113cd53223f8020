from django.urls import path

from signatories import views

app_name = "signatories"

# The sign form, in each language (config.urls puts these under the language prefixes).
urlpatterns = [
    path("letters/<slug:slug>/sign/", views.sign, name="sign"),
    path("letters/<slug:slug>/sign/check-email/", views.check_email, name="check_email"),
]
