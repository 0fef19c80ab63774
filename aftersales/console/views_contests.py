"""Console screens of contests: the list, the contest form (drafts), a contest with its actions and audit
panel, its entries (counts by source, search, manual entries, the CSV) and its exclusion list."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from aftersales.catalog.models import Category
from aftersales.console.access import forbidden, staff_view
from aftersales.console.views.common import page_of, refused
from aftersales.contests import selectors, services
from aftersales.contests.models import Contest, ContestStatus, EntrySource, Exclusion
from aftersales.core.errors import Conflict, ValidationFailed
from aftersales.core.forms import errors_attach
from aftersales.customers.models import Customer

VIEW = "contests.view_contest"
ADD = "contests.add_contest"
EDIT = "contests.change_contest"
RUN = "contests.run_contest"
MANUAL = "contests.add_manual_entry"
DATETIME_LOCAL = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class ContestForm(forms.Form):
    code = forms.SlugField(
        label=gettext_lazy("Code"),
        max_length=60,
        help_text=gettext_lazy("Short and unique: used in links and by contest-verify."),
    )
    name = forms.CharField(label=gettext_lazy("Name"), max_length=160)
    name_es = forms.CharField(label=gettext_lazy("Name in Spanish"), max_length=160, required=False)
    rules = forms.CharField(label=gettext_lazy("Rules"), required=False, widget=forms.Textarea(attrs={"rows": 5}))
    rules_es = forms.CharField(label=gettext_lazy("Rules in Spanish"), required=False, widget=forms.Textarea(attrs={"rows": 5}))
    opens_at = forms.DateTimeField(label=gettext_lazy("Entries open at"), widget=DATETIME_LOCAL)
    closes_at = forms.DateTimeField(label=gettext_lazy("Entries close at"), widget=DATETIME_LOCAL)
    draw_at = forms.DateTimeField(label=gettext_lazy("Draw at"), widget=DATETIME_LOCAL)
    winners_count = forms.IntegerField(label=gettext_lazy("Number of winners"), min_value=1, max_value=1000, initial=1)
    prize = forms.CharField(label=gettext_lazy("Prize"), max_length=200)
    prize_es = forms.CharField(label=gettext_lazy("Prize in Spanish"), max_length=200, required=False)
    prize_voucher_value = forms.DecimalField(
        label=gettext_lazy("Prize voucher value"),
        required=False,
        max_digits=10,
        decimal_places=2,
        help_text=gettext_lazy("Each winner gets a voucher of this value. Empty: no voucher."),
    )
    prize_voucher_valid_days = forms.IntegerField(
        label=gettext_lazy("Prize voucher valid for (days)"), min_value=1, max_value=3650, initial=90
    )
    entries_per_sale = forms.IntegerField(label=gettext_lazy("Entries per purchase"), min_value=0, max_value=100, initial=1)
    sale_amount_step = forms.DecimalField(
        label=gettext_lazy("Per amount of"),
        required=False,
        max_digits=10,
        decimal_places=2,
        help_text=gettext_lazy("Give the entries per purchase for each full step of this amount. Empty: per purchase."),
    )
    categories = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Only purchases in categories"),
        required=False,
        queryset=Category.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("None ticked: every purchase counts."),
    )
    entries_per_survey = forms.IntegerField(
        label=gettext_lazy("Entries per survey answered"), min_value=0, max_value=100, initial=0
    )
    entries_per_referral = forms.IntegerField(
        label=gettext_lazy("Entries per converted referral"), min_value=0, max_value=100, initial=0
    )
    max_entries_per_customer = forms.IntegerField(label=gettext_lazy("Maximum entries per customer"), required=False, min_value=1)
    exclude_staff = forms.BooleanField(label=gettext_lazy("Staff cannot win"), required=False, initial=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        categories = self.fields["categories"]
        assert isinstance(categories, forms.ModelMultipleChoiceField)
        categories.queryset = Category.objects.order_by("name")


class CustomerLookupField(forms.CharField):
    """A customer named by reference (C42), id or email."""

    def clean(self, value: Any) -> Any:
        text = (super().clean(value) or "").strip()
        reference = text[1:] if text[:1] in "Cc" else text
        customer = None
        if reference.isdigit():
            customer = Customer.objects.filter(pk=int(reference)).first()
        elif "@" in text:
            customer = Customer.objects.filter(email__iexact=text).order_by("pk").first()
        if customer is None:
            raise forms.ValidationError(_("No customer with this reference or email."))
        return customer


class ManualEntryForm(forms.Form):
    customer = CustomerLookupField(label=gettext_lazy("Customer"), help_text=gettext_lazy("Reference (C42) or email"))
    count = forms.IntegerField(label=gettext_lazy("Entries"), min_value=1, max_value=100, initial=1)
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=200)


class ExclusionForm(forms.Form):
    customer = CustomerLookupField(label=gettext_lazy("Customer"), help_text=gettext_lazy("Reference (C42) or email"))
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=200)
    every_contest = forms.BooleanField(
        label=gettext_lazy("Flag: cannot win any contest"),
        required=False,
        help_text=gettext_lazy("Unticked: only this contest."),
    )


class EntrySearchForm(forms.Form):
    q = forms.CharField(label=gettext_lazy("Customer"), required=False, help_text=gettext_lazy("Name, email or reference (C42)"))
    source = forms.ChoiceField(label=gettext_lazy("Source"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        source = self.fields["source"]
        assert isinstance(source, forms.ChoiceField)
        source.choices = [("", _("Any")), *EntrySource.choices]


def _contest(contest_id: int) -> Contest:
    contest = Contest.objects.filter(pk=contest_id).first()
    if contest is None:
        raise Http404(_("No such contest."))
    return contest


@staff_view(VIEW)
def contest_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    status = status if status in ContestStatus.values else ""
    contests = selectors.contests_filtered(status=status, text=request.GET.get("q", ""))
    context = {
        "section": "contests",
        "page": page_of(request, contests),
        "statuses": ContestStatus.choices,
        "status": status,
        "q": request.GET.get("q", ""),
    }
    return render(request, "console/contests/list.html", context)


def _terms_of(form: ContestForm) -> dict[str, Any]:
    data = dict(form.cleaned_data)
    data["categories"] = list(data["categories"])
    return data


@staff_view(VIEW, ADD)
def contest_new(request: HttpRequest) -> HttpResponse:
    form = ContestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            contest = services.contest_create(actor=request.user, terms=_terms_of(form))  # type: ignore[arg-type]
        except ValidationFailed as failure:
            errors_attach(form, failure)
        else:
            messages.success(request, _("Contest saved as a draft."))
            return redirect("console:contest", contest_id=contest.pk)
    return render(request, "console/contests/form.html", {"section": "contests", "form": form, "contest": None})


@staff_view(VIEW, EDIT)
def contest_edit(request: HttpRequest, contest_id: int) -> HttpResponse:
    contest = _contest(contest_id)
    if contest.status != ContestStatus.DRAFT:
        messages.error(request, _("Only a draft contest can be edited."))
        return redirect("console:contest", contest_id=contest.pk)
    initial = {name: getattr(contest, name) for name in services.TERM_FIELDS}
    initial["categories"] = list(contest.categories.values_list("pk", flat=True))
    form = ContestForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.contest_update(actor=request.user, contest=contest, terms=_terms_of(form))  # type: ignore[arg-type]
        except ValidationFailed as failure:
            errors_attach(form, failure)
        except Conflict as failure:
            refused(request, failure)
        else:
            messages.success(request, _("Contest saved."))
            return redirect("console:contest", contest_id=contest.pk)
    return render(request, "console/contests/form.html", {"section": "contests", "form": form, "contest": contest})


@staff_view(VIEW)
def contest_detail(request: HttpRequest, contest_id: int) -> HttpResponse:
    contest = _contest(contest_id)
    context = {
        "section": "contests",
        "contest": contest,
        "counts": [(label, selectors.entry_counts_by_source(contest=contest)[code]) for code, label in EntrySource.choices],
        "total": contest.entries.count(),
        "winners": list(selectors.winners_of(contest=contest)),
        "categories": list(contest.categories.all()),
    }
    return render(request, "console/contests/detail.html", context)


def _act(request: HttpRequest, contest_id: int, action: Any, done: str) -> HttpResponse:
    contest = _contest(contest_id)
    try:
        action(actor=request.user, contest=contest)
    except (ValidationFailed, Conflict) as failure:
        refused(request, failure)
    else:
        messages.success(request, done)
    return redirect("console:contest", contest_id=contest.pk)


@staff_view(VIEW, RUN)
@require_POST
def contest_open(request: HttpRequest, contest_id: int) -> HttpResponse:
    return _act(request, contest_id, services.contest_open, _("The contest is open and the hash of its seed is published."))


@staff_view(VIEW, RUN)
@require_POST
def contest_close(request: HttpRequest, contest_id: int) -> HttpResponse:
    return _act(request, contest_id, services.contest_close, _("Entries are closed and their digest is published."))


@staff_view(VIEW, RUN)
@require_POST
def contest_draw(request: HttpRequest, contest_id: int) -> HttpResponse:
    if request.POST.get("confirm") != "yes":
        messages.error(request, _("Tick the confirmation to draw: a draw cannot be undone."))
        return redirect("console:contest", contest_id=contest_id)
    return _act(request, contest_id, services.contest_draw, _("The winners are drawn and notified; the seed is published."))


@staff_view(VIEW, RUN)
@require_POST
def contest_cancel(request: HttpRequest, contest_id: int) -> HttpResponse:
    return _act(request, contest_id, services.contest_cancel, _("The contest is cancelled."))


@staff_view(VIEW, "contests.view_entry")
def contest_entries(request: HttpRequest, contest_id: int) -> HttpResponse:
    contest = _contest(contest_id)
    search = EntrySearchForm(request.GET or None)
    filters = search.cleaned_data if search.is_bound and search.is_valid() else {}
    entries = selectors.entries_of_contest(contest=contest, text=filters.get("q", ""), source=filters.get("source", ""))
    form = ManualEntryForm(request.POST or None)
    if request.method == "POST" and not request.user.has_perm(MANUAL):
        return forbidden(request, _("Your role does not allow you to give entries."))
    if request.method == "POST" and form.is_valid():
        try:
            given = services.entry_manual_add(
                actor=request.user,  # type: ignore[arg-type]
                contest=contest,
                customer=form.cleaned_data["customer"],
                count=form.cleaned_data["count"],
                reason=form.cleaned_data["reason"],
                idempotency_key=request.POST.get("idempotency_key", ""),
            )
        except ValidationFailed as failure:
            errors_attach(form, failure)
        except Conflict as failure:
            refused(request, failure)
        else:
            given_text = ngettext("%(count)s entry given.", "%(count)s entries given.", len(given))
            messages.success(request, given_text % {"count": len(given)})
            return redirect("console:contest_entries", contest_id=contest.pk)
    context = {
        "section": "contests",
        "contest": contest,
        "search": search,
        "form": form,
        "page": page_of(request, entries),
        "counts": [(label, selectors.entry_counts_by_source(contest=contest)[code]) for code, label in EntrySource.choices],
    }
    return render(request, "console/contests/entries.html", context)


@staff_view(VIEW, "contests.view_entry")
def contest_entries_csv(request: HttpRequest, contest_id: int) -> HttpResponse:
    contest = _contest(contest_id)
    if contest.frozen_at is None:
        raise Http404(_("The entry list is published when entries close."))
    response = HttpResponse(selectors.entries_csv(contest=contest), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="contest-{contest.code}-entries.csv"'
    return response


@staff_view(VIEW)
def contest_exclusions(request: HttpRequest, contest_id: int) -> HttpResponse:
    contest = _contest(contest_id)
    form = ExclusionForm(request.POST or None)
    if request.method == "POST" and not request.user.has_perm(MANUAL):
        return forbidden(request, _("Your role does not allow you to exclude customers."))
    if request.method == "POST" and form.is_valid():
        try:
            services.exclusion_add(
                actor=request.user,  # type: ignore[arg-type]
                contest=None if form.cleaned_data["every_contest"] else contest,
                customer=form.cleaned_data["customer"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationFailed as failure:
            errors_attach(form, failure)
        except Conflict as failure:
            refused(request, failure)
        else:
            messages.success(request, _("The customer cannot win."))
            return redirect("console:contest_exclusions", contest_id=contest.pk)
    context = {
        "section": "contests",
        "contest": contest,
        "form": form,
        "exclusions": list(selectors.exclusions_for(contest=contest)),
    }
    return render(request, "console/contests/exclusions.html", context)


@staff_view(VIEW, MANUAL)
@require_POST
def contest_exclusion_remove(request: HttpRequest, contest_id: int, exclusion_id: int) -> HttpResponse:
    contest = _contest(contest_id)
    exclusion = Exclusion.objects.filter(Q(contest=contest) | Q(contest__isnull=True), pk=exclusion_id).first()
    if exclusion is None:
        raise Http404(_("No such exclusion."))
    try:
        services.exclusion_remove(actor=request.user, exclusion=exclusion)  # type: ignore[arg-type]
    except Conflict as failure:
        refused(request, failure)
    else:
        messages.success(request, _("The exclusion is removed."))
    return redirect("console:contest_exclusions", contest_id=contest.pk)
