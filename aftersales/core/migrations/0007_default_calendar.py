import datetime as dt

from django.db import migrations


def create_default_calendar(apps, schema_editor):
    # Office hours in Madrid with Spain's public holidays: what service targets count until changed.
    BusinessCalendar = apps.get_model("core", "BusinessCalendar")
    WorkingHours = apps.get_model("core", "WorkingHours")
    if BusinessCalendar.objects.exists():
        return
    calendar = BusinessCalendar.objects.create(name="Office hours", time_zone="Europe/Madrid", country="ES", is_default=True)
    WorkingHours.objects.bulk_create(
        WorkingHours(calendar=calendar, weekday=weekday, starts_at=dt.time(9), ends_at=dt.time(18)) for weekday in range(5)
    )


class Migration(migrations.Migration):
    dependencies = [("core", "0006_business_calendars")]
    operations = [migrations.RunPython(create_default_calendar, migrations.RunPython.noop)]
