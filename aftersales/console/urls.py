"""The staff console, at the site's root."""

from django.urls import path

from aftersales.console import views_messaging
from aftersales.console.views import auth, customers, home, imports, sales, tickets, tickets_admin, tokens, units

app_name = "console"

urlpatterns = [
    path("login/", auth.SignInView.as_view(), name="login"),
    path("logout/", auth.SignOutView.as_view(), name="logout"),
    path("language/", auth.language_choose, name="language"),
    path("", home.home, name="home"),
    path("customers/", customers.customer_list, name="customers"),
    path("customers/<int:customer_id>/", customers.customer_detail, name="customer"),
    path("customers/<int:customer_id>/edit/", customers.customer_edit, name="customer_edit"),
    path("customers/<int:customer_id>/consent/", customers.customer_consent, name="customer_consent"),
    path("customers/<int:customer_id>/call/", customers.customer_call, name="customer_call"),
    path("units/", units.unit_list, name="units"),
    path("units/id/<int:unit_id>/", units.unit_detail, name="unit"),
    path("units/id/<int:unit_id>/delivered/", units.unit_record_moment, {"moment": "delivered"}, name="unit_delivered"),
    path("units/id/<int:unit_id>/installed/", units.unit_record_moment, {"moment": "installed"}, name="unit_installed"),
    path("units/<str:serial>/", units.unit_by_serial, name="unit_by_serial"),
    path("sales/", sales.sale_list, name="sales"),
    path("sales/<int:sale_id>/", sales.sale_detail, name="sale"),
    path("sales/<int:sale_id>/proof/", sales.sale_proof, name="sale_proof"),
    path("import/", imports.import_page, name="import"),
    path("import/sample.csv", imports.import_sample, name="import_sample"),
    path("import/<int:import_id>/", imports.import_run, name="import_run"),
    path("tokens/", tokens.token_list, name="tokens"),
    path("tokens/<int:token_id>/revoke/", tokens.token_revoke, name="token_revoke"),
    path("messages/", views_messaging.message_list, name="messages"),
    path("messages/<int:message_id>/", views_messaging.message_detail, name="message"),
    path("messages/templates/", views_messaging.template_list, name="messaging_templates"),
    path("messages/templates/new/", views_messaging.template_edit, name="messaging_template_new"),
    path("messages/templates/preview/", views_messaging.template_preview, name="messaging_template_preview"),
    path("messages/templates/<int:template_id>/", views_messaging.template_edit, name="messaging_template"),
    path("messages/templates/<int:template_id>/delete/", views_messaging.template_delete, name="messaging_template_delete"),
    # The service desk.
    path("tickets/", tickets.ticket_list_page, name="tickets"),
    path("tickets/unanswered/", tickets.unanswered, name="tickets_unanswered"),
    path("tickets/mine/", tickets.my_work, name="my_work"),
    path("tickets/new/", tickets.ticket_new, name="ticket_new"),
    path("tickets/bulk/", tickets.tickets_bulk_action, name="tickets_bulk"),
    path("tickets/attachments/<int:attachment_id>/", tickets.ticket_attachment, name="ticket_attachment"),
    path("tickets/callbacks/<int:callback_id>/done/", tickets.callback_done_action, name="callback_done"),
    path("tickets/<int:number>/", tickets.ticket_page, name="ticket"),
    path("tickets/<int:number>/reply/", tickets.ticket_reply_action, name="ticket_reply"),
    path("tickets/<int:number>/note/", tickets.ticket_note_action, name="ticket_note"),
    path("tickets/<int:number>/fields/", tickets.ticket_fields_action, name="ticket_fields"),
    path("tickets/<int:number>/tags/", tickets.ticket_tags_action, name="ticket_tags"),
    path("tickets/<int:number>/follow/", tickets.ticket_follow_action, name="ticket_follow"),
    path("tickets/<int:number>/merge/", tickets.ticket_merge_action, name="ticket_merge"),
    path("tickets/<int:number>/macro/", tickets.ticket_macro_action, name="ticket_macro"),
    path("tickets/<int:number>/callbacks/", tickets.ticket_callback_action, name="ticket_callback"),
    path("tickets/<int:number>/canned/", tickets.ticket_canned_preview, name="ticket_canned"),
    *tickets_admin.urlpatterns,
]
