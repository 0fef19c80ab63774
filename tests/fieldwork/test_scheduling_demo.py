"""The demo company shows field service: technicians set up, visits proposed and some booked this week."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from aftersales.demo.builder import demo_build
from aftersales.fieldwork.models import BOOKED_STATUSES, Certification, Technician, WorkOrder

pytestmark = pytest.mark.django_db


def test_the_demo_has_technicians_with_certifications_and_booked_visits():
    demo_build(customers=40, seed=3, today=timezone.localdate())

    assert Technician.objects.count() == 2
    assert Technician.objects.filter(shifts__isnull=False).distinct().count() == 2
    assert Certification.objects.filter(expires_on__lt=timezone.localdate() + dt.timedelta(days=30)).exists()
    booked = WorkOrder.objects.filter(status__in=BOOKED_STATUSES)
    assert booked.exists()
    assert all(order.events.filter(kind="scheduled").exists() for order in booked)
