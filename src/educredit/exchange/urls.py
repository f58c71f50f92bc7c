from django.urls import path

from educredit.exchange import views

app_name = "exchange"
urlpatterns = [
    path("outbox/", views.outbox_list, name="outbox_list"),
    path("outbox/rejected/", views.rejected_list, name="rejected_list"),
    path("outbox/<int:outbox_item_id>/", views.outbox_detail, name="outbox_detail"),
    path("outbox/<int:outbox_item_id>/fix/", views.outbox_fix, name="outbox_fix"),
]
