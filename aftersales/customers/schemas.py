"""API shapes for customers."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from ninja import Field, FilterLookup, FilterSchema, Schema

from aftersales.customers.models import Customer


class CustomerIn(Schema):
    name: str
    email: str = ""
    phone: str = ""
    language: str = "en"
    birthday: dt.date | None = None
    time_zone: str = ""
    address_line1: str = ""
    address_line2: str = ""
    postal_code: str = ""
    city: str = ""
    region: str = ""
    country: str = ""
    age_band: str = ""
    education_level: str = ""
    external_ref: str = ""
    notes: str = ""
    consents: list[str] = Field(default_factory=list, description="Channels the customer agreed to: email, sms, phone, post.")
    segments: list[str] = Field(default_factory=list, description="Segment codes, created when new.")


class CustomerPatch(Schema):
    name: str | None = None
    email: str | None = None
    phone: str | None = None
    language: str | None = None
    birthday: dt.date | None = None
    time_zone: str | None = None
    address_line1: str | None = None
    address_line2: str | None = None
    postal_code: str | None = None
    city: str | None = None
    region: str | None = None
    country: str | None = None
    age_band: str | None = None
    education_level: str | None = None
    external_ref: str | None = None
    notes: str | None = None
    segments: list[str] | None = None


class ConsentIn(Schema):
    channel: str
    given: bool


class ConsentOut(Schema):
    email: dt.datetime | None
    sms: dt.datetime | None
    phone: dt.datetime | None
    post: dt.datetime | None


class CustomerOut(Schema):
    id: int
    name: str
    email: str
    phone: str
    language: str
    birthday: dt.date | None
    time_zone: str
    address_line1: str
    address_line2: str
    postal_code: str
    city: str
    region: str
    country: str
    age_band: str
    education_level: str
    external_ref: str
    segments: list[str]
    consents: ConsentOut
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_segments(obj: Customer) -> list[str]:
        return [segment.slug for segment in obj.segments.all()]

    @staticmethod
    def resolve_consents(obj: Customer) -> dict[str, dt.datetime | None]:
        return {
            "email": obj.consent_email_at,
            "sms": obj.consent_sms_at,
            "phone": obj.consent_phone_at,
            "post": obj.consent_post_at,
        }


class CustomerFilter(FilterSchema):
    q: str | None = Field(None, description="Name, email, phone or a unit's serial number.")
    language: str | None = None
    segment: Annotated[str | None, FilterLookup("segments__slug")] = None
    country: str | None = None
