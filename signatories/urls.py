app_name = "signatories"

urlpatterns = []
