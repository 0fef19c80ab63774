"""The referral invitation (marketing) and the "your friend bought" notice (transactional), in English and Spanish."""

from django.db import migrations

TEMPLATES = {
    "referral_invitation": (
        "marketing",
        "Invites a customer to refer a friend, with their personal link and code",
        {
            ("email", "en"): (
                "Share what you like with a friend",
                "Hello {{ customer.first_name }},\n\n"
                "Thank you for recommending us. If a friend of yours needs what we do, share your personal link: "
                "{{ referral_url }}\n\n"
                "Your code: {{ referral_code }}\n\n"
                "When your friend makes their first purchase, you receive"
                "{% if referrer_points %} {{ referrer_points }} points{% endif %}"
                "{% if referrer_points and referrer_voucher_value %} and{% endif %}"
                "{% if referrer_voucher_value %} a voucher worth {{ referrer_voucher_value }} {{ currency }}{% endif %}"
                "{% if not referrer_points and not referrer_voucher_value %} our thanks{% endif %}"
                "{% if friend_points or friend_voucher_value %}, and your friend receives"
                "{% if friend_points %} {{ friend_points }} points{% endif %}"
                "{% if friend_points and friend_voucher_value %} and{% endif %}"
                "{% if friend_voucher_value %} a voucher worth {{ friend_voucher_value }} {{ currency }}{% endif %}{% endif %}.\n\n"
                "The service team",
            ),
            ("email", "es"): (
                "Comparta lo que le gusta con un amigo",
                "Estimado/a {{ customer.first_name }}:\n\n"
                "Gracias por recomendarnos. Si algún amigo necesita lo que hacemos, compártale su enlace personal: "
                "{{ referral_url }}\n\n"
                "Su código: {{ referral_code }}\n\n"
                "Cuando su amigo haga su primera compra, usted recibirá"
                "{% if referrer_points %} {{ referrer_points }} puntos{% endif %}"
                "{% if referrer_points and referrer_voucher_value %} y{% endif %}"
                "{% if referrer_voucher_value %} un vale de {{ referrer_voucher_value }} {{ currency }}{% endif %}"
                "{% if not referrer_points and not referrer_voucher_value %} nuestro agradecimiento{% endif %}"
                "{% if friend_points or friend_voucher_value %}, y su amigo recibirá"
                "{% if friend_points %} {{ friend_points }} puntos{% endif %}"
                "{% if friend_points and friend_voucher_value %} y{% endif %}"
                "{% if friend_voucher_value %} un vale de {{ friend_voucher_value }} {{ currency }}{% endif %}{% endif %}.\n\n"
                "El equipo de atención al cliente",
            ),
            ("sms", "en"): ("", "Know someone who needs us? Share your link: {{ referral_url }} (code {{ referral_code }})"),
            ("sms", "es"): ("", "¿Conoce a alguien que nos necesite? Comparta su enlace: {{ referral_url }} (código {{ referral_code }})"),
        },
    ),
    "referral_converted": (
        "transactional",
        "Tells the referrer that their friend made a first purchase, and their reward",
        {
            ("email", "en"): (
                "Your friend joined us: thank you",
                "Hello {{ customer.first_name }},\n\n"
                "{{ friend }}, whom you referred, has made their first purchase with us. Thank you for recommending us.\n\n"
                "{% if points %}We have added {{ points }} points to your account.\n{% endif %}"
                "{% if voucher_code %}Your voucher code: {{ voucher_code }}\n{% endif %}\n"
                "Keep sharing your link: {{ referral_url }}\n\n"
                "The service team",
            ),
            ("email", "es"): (
                "Su amigo ya es cliente: gracias",
                "Estimado/a {{ customer.first_name }}:\n\n"
                "{{ friend }}, a quien usted recomendó, ha hecho su primera compra con nosotros. Gracias por recomendarnos.\n\n"
                "{% if points %}Hemos añadido {{ points }} puntos a su cuenta.\n{% endif %}"
                "{% if voucher_code %}Su código de vale: {{ voucher_code }}\n{% endif %}\n"
                "Siga compartiendo su enlace: {{ referral_url }}\n\n"
                "El equipo de atención al cliente",
            ),
            ("sms", "en"): ("", "{{ friend }} made a first purchase thanks to you.{% if voucher_code %} Your voucher: {{ voucher_code }}.{% endif %}{% if points %} +{{ points }} points.{% endif %}"),
            ("sms", "es"): ("", "{{ friend }} ha hecho su primera compra gracias a usted.{% if voucher_code %} Su vale: {{ voucher_code }}.{% endif %}{% if points %} +{{ points }} puntos.{% endif %}"),
        },
    ),
}


def create(apps, schema_editor):
    MessageTemplate = apps.get_model("messaging", "MessageTemplate")
    for code, (purpose, description, texts) in TEMPLATES.items():
        for (channel, language), (subject, body) in texts.items():
            MessageTemplate.objects.get_or_create(
                code=code,
                channel=channel,
                language=language,
                defaults={"purpose": purpose, "description": description, "subject": subject, "body": body},
            )


def remove(apps, schema_editor):
    apps.get_model("messaging", "MessageTemplate").objects.filter(code__in=list(TEMPLATES), version=1).delete()


class Migration(migrations.Migration):
    dependencies = [("referrals", "0001_initial"), ("messaging", "0005_email_headers_attachments")]

    operations = [migrations.RunPython(create, remove)]
