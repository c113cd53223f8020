from django.urls import path

from publication import views

app_name = "publication"

urlpatterns = [
    path("", views.home, name="home"),
    path("letters/<slug:slug>/", views.letter_detail, name="letter_detail"),
    path("letters/<slug:slug>/signatories.csv", views.signatories_csv, name="signatories_csv"),
]
