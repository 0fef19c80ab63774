"""Shapes of the newsletter API."""

from __future__ import annotations

import datetime as dt

from ninja import Field, Schema

from aftersales.newsletter.models import Issue


class ListIn(Schema):
    name: str
    language: str = Field(description="en or es: members are the customers who read this language.")
    description: str = ""
    active: bool = True
    segment_ids: list[int] = Field(default_factory=list, description="Empty: everyone; else customers in one of them.")


class ListPatch(Schema):
    name: str | None = None
    language: str | None = None
    description: str | None = None
    active: bool | None = None
    segment_ids: list[int] | None = None


class ListOut(Schema):
    id: int
    name: str
    language: str
    description: str
    active: bool
    segment_ids: list[int]
    member_count: int = Field(description="Customers on the list now: email consent, the language, no opt-out since.")


class ArticleIn(Schema):
    title: str
    body: str = Field(description="Plain paragraphs separated by a blank line; lines starting with “- ” make a list.")
    language: str
    link: str = ""
    published_on: dt.date | None = None


class ArticlePatch(Schema):
    title: str | None = None
    body: str | None = None
    language: str | None = None
    link: str | None = None
    published_on: dt.date | None = None


class ArticleOut(Schema):
    id: int
    title: str
    body: str
    language: str
    link: str
    published_on: dt.date


class IssueIn(Schema):
    list_id: int
    subject: str
    intro: str = ""
    product_ids: list[int] | None = Field(None, description="Omitted: the products new since the list's previous issue.")
    article_ids: list[int] = Field(default_factory=list)


class IssuePatch(Schema):
    subject: str | None = None
    intro: str | None = None
    product_ids: list[int] | None = None
    article_ids: list[int] | None = None


class IssueOut(Schema):
    id: int
    list_id: int
    subject: str
    intro: str
    status: str = Field(description="draft, sending or sent.")
    product_ids: list[int]
    article_ids: list[int]
    queued_count: int
    suppressed_count: int
    send_started_at: dt.datetime | None
    sent_at: dt.datetime | None
    sent_text: str = Field(description="The frozen text that went out (empty while a draft).")

    @staticmethod
    def resolve_list_id(obj: Issue) -> int:
        return obj.newsletter_list_id

    @staticmethod
    def resolve_product_ids(obj: Issue) -> list[int]:
        return sorted(product.pk for product in obj.products.all())

    @staticmethod
    def resolve_article_ids(obj: Issue) -> list[int]:
        return sorted(article.pk for article in obj.articles.all())

    @staticmethod
    def resolve_sent_text(obj: Issue) -> str:
        return obj.rendered_body


class PreviewOut(Schema):
    subject: str
    body: str
