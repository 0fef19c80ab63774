"""The console's home page (head counts, recent sales and a search box) and its menu of every page."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from aftersales.console.access import staff_view
from aftersales.console.selectors import dashboard_figures
from aftersales.sales.selectors import sales_visible_to


@staff_view()
def home(request: HttpRequest) -> HttpResponse:
    figures = dashboard_figures(user=request.user, today=timezone.localdate())
    recent = sales_visible_to(request.user).order_by("-sold_on", "-id")[:8]
    return render(request, "console/home.html", {"section": "home", "figures": figures, "recent_sales": recent})


@staff_view()
def menu(request: HttpRequest) -> HttpResponse:
    """Every page of the navigation the staff member may use, grouped: what a phone's strip leads to."""
    return render(request, "console/menu.html", {"section": "menu"})
