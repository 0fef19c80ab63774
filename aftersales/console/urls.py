"""The staff console, at the site's root."""

from django.urls import path

from aftersales.console import views_messaging
from aftersales.console.views import auth, customers, followup, home, imports, sales, tokens, units

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
    path("customers/<int:customer_id>/coming-up/", followup.customer_coming_up, name="customer_coming_up"),
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
    path("followup/my-day/", followup.my_day, name="followup_my_day"),
    path("followup/agenda/", followup.agenda, name="followup_agenda"),
    path("followup/tasks/<int:task_id>/", followup.task_detail, name="followup_task"),
    path("followup/tasks/<int:task_id>/outcome/", followup.task_outcome, name="followup_task_outcome"),
    path("followup/tasks/<int:task_id>/reassign/", followup.task_reassign, name="followup_task_reassign"),
    path("followup/tasks/<int:task_id>/cancel/", followup.task_cancel, name="followup_task_cancel"),
    path("followup/playbooks/", followup.playbook_list, name="followup_playbooks"),
    path("followup/playbooks/new/", followup.playbook_edit, name="followup_playbook_new"),
    path("followup/playbooks/<int:playbook_id>/", followup.playbook_edit, name="followup_playbook"),
    path("followup/playbooks/<int:playbook_id>/delete/", followup.playbook_delete, name="followup_playbook_delete"),
    path("followup/playbooks/<int:playbook_id>/steps/new/", followup.step_edit, name="followup_step_new"),
    path("followup/steps/preview/", followup.step_preview, name="followup_step_preview"),
    path("followup/steps/<int:step_id>/", followup.step_edit, name="followup_step"),
    path("followup/steps/<int:step_id>/move/", followup.step_move, name="followup_step_move"),
    path("followup/steps/<int:step_id>/switch/", followup.step_switch, name="followup_step_switch"),
    path("followup/steps/<int:step_id>/delete/", followup.step_delete, name="followup_step_delete"),
]
