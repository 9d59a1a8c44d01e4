app_name = "diagnosis"
urlpatterns = []
