"""The staff console, at the site's root."""

from django.urls import path

from aftersales.console import views_messaging, views_warranty
from aftersales.console.views import auth, customers, home, imports, sales, tokens, units

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
    path("warranty/claims/", views_warranty.claim_queue, name="warranty_claims"),
    path("warranty/claims/<int:claim_id>/", views_warranty.claim_detail, name="warranty_claim"),
    path("warranty/claims/<int:claim_id>/decide/", views_warranty.claim_decide, name="warranty_claim_decide"),
    path("warranty/claims/<int:claim_id>/verify/", views_warranty.claim_verify, name="warranty_claim_verify"),
    path("warranty/claims/<int:claim_id>/cancel/", views_warranty.claim_cancel, name="warranty_claim_cancel"),
    path("warranty/claims/<int:claim_id>/receipt/", views_warranty.claim_receipt, name="warranty_claim_receipt"),
    path("units/id/<int:unit_id>/claim/", views_warranty.claim_new, name="warranty_claim_new"),
    path("units/id/<int:unit_id>/extended-warranty/", views_warranty.unit_extended, name="warranty_extended"),
    path("units/id/<int:unit_id>/exclusion/", views_warranty.unit_exclusion, name="warranty_exclusion"),
    path("messages/templates/<int:template_id>/delete/", views_messaging.template_delete, name="messaging_template_delete"),
]
