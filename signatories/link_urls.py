"""The links emailed to signers: one address each, whatever the language (the page speaks the
language the signer signed in)."""

from django.urls import path

from signatories import views

app_name = "signature_links"

urlpatterns = [
    path("signatures/confirm/<str:token>/", views.confirm, name="confirm"),
    path("signatures/withdraw/<str:token>/", views.withdraw, name="withdraw"),
]
