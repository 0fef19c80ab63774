from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("messaging", "0004_spanish_templates_usted"),
    ]

    operations = [
        migrations.AddField(
            model_name="message",
            name="email_message_id",
            field=models.CharField(blank=True, db_index=True, max_length=255, verbose_name="Message-ID"),
        ),
        migrations.AddField(
            model_name="message",
            name="headers",
            field=models.JSONField(blank=True, default=dict, verbose_name="extra headers"),
        ),
        migrations.AddField(
            model_name="message",
            name="attachments",
            field=models.JSONField(blank=True, default=list, verbose_name="attachments"),
        ),
    ]
