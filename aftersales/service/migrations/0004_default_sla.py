from django.db import migrations

# Working minutes per priority: (first response, resolution) for level 1, then for level 2.
TARGETS = {
    "urgent": ((60, 480), (120, 960)),
    "high": ((240, 1080), (480, 2160)),
    "normal": ((480, 2700), (960, 5400)),
    "low": ((1080, 5400), (1620, 10800)),
}


def create_default_sla(apps, schema_editor):
    SlaPolicy = apps.get_model("service", "SlaPolicy")
    SlaTarget = apps.get_model("service", "SlaTarget")
    EscalationRule = apps.get_model("service", "EscalationRule")
    BusinessCalendar = apps.get_model("core", "BusinessCalendar")
    if not SlaPolicy.objects.exists():
        policy = SlaPolicy.objects.create(
            name="Standard", position=100, calendar=BusinessCalendar.objects.filter(is_default=True).first()
        )
        for priority, tiers in TARGETS.items():
            for tier, (first_response, resolution) in enumerate(tiers, start=1):
                SlaTarget.objects.create(
                    policy=policy,
                    priority=priority,
                    tier=tier,
                    first_response_minutes=first_response,
                    resolution_minutes=resolution,
                )
    if not EscalationRule.objects.exists():
        # No request unanswered: the service managers hear of every ticket still unanswered past its target.
        EscalationRule.objects.create(
            name="Tell the service managers about late first responses",
            trigger="breach",
            metric="first_response",
            notify_managers=True,
        )


class Migration(migrations.Migration):
    dependencies = [("service", "0003_sla"), ("core", "0007_default_calendar")]
    operations = [migrations.RunPython(create_default_sla, migrations.RunPython.noop)]
