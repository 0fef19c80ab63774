"""Sales imports run by a background worker: submitting, the worker, recovery, the console pages and the API."""

from __future__ import annotations

import datetime as dt
import logging
import re
import threading

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test.client import MULTIPART_CONTENT
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from aftersales.core.errors import PermissionDenied, ValidationFailed
from aftersales.customers.models import Customer
from aftersales.sales import import_runs
from aftersales.sales.import_runs import sales_import_execute, sales_import_submit, sales_imports_recover
from aftersales.sales.models import Sale, SalesImport, SalesImportStatus, Unit
from tests.factories import ProductFactory

HEADER = (
    "sale_number,sale_date,channel,customer_name,customer_email,customer_phone,customer_language,"
    "sku,quantity,unit_price,serials\n"
)
GOOD = HEADER + (
    "H-1,2024-05-02,store,Lucía Gómez,lucia@example.es,+34600111222,es,DW-60,2,399.00,SN-1|SN-2\n"
    "H-2,2024-06-10,online,Peter Hall,peter@example.co.uk,,en,DW-60,1,410.50,SN-3\n"
)
BAD = HEADER + (
    "B-1,2024-05-02,store,Good Row,good@example.com,,en,DW-60,1,399.00,OK-1\n"
    "B-2,2024-13-45,store,Bad Date,bad@example.com,,en,DW-60,1,399.00,OK-2\n"
    "B-3,2024-05-03,store,Bad Sku,sku@example.com,,en,NOPE,1,399.00,OK-3\n"
)

# The worker commits on its own, as it does in production: these tests do not run inside one transaction.
worker_db = pytest.mark.django_db(transaction=True)


@pytest.fixture
def dishwasher(db):
    return ProductFactory(sku="DW-60", name="Dishwasher DW-60")


def csv_upload(text: str, name: str = "sales.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


def run_worker() -> None:
    """Run the database task worker once over every queued task, as ``aftersales worker`` does."""
    call_command("db_worker", batch=True, startup_delay=False, reload=False, verbosity=0)


# --- submitting and running ---------------------------------------------------------------------


@worker_db
def test_a_submitted_import_is_queued_then_the_worker_imports_it(manager, dishwasher):
    # when a manager submits a file
    run = sales_import_submit(actor=manager, upload=csv_upload(GOOD, name="history 2024.csv"))

    # then it is stored privately, and a task waits for a worker
    run.refresh_from_db()
    assert run.status == SalesImportStatus.QUEUED
    assert run.file_name == "history 2024.csv" and run.size == len(GOOD.encode("utf-8"))
    assert re.fullmatch(r"imports/\d{4}/\d{2}/[0-9a-f]{32}\.csv", run.file.name)
    [task] = DBTaskResult.objects.all()
    assert str(task.id) == run.task_id and task.status == "READY"
    assert Sale.objects.count() == 0

    # when the worker runs
    run_worker()

    # then the sales are written and the report is stored
    run.refresh_from_db()
    assert run.status == SalesImportStatus.IMPORTED
    assert (run.rows, run.sales_created, run.customers_created, run.units_created) == (2, 2, 2, 3)
    assert run.started_at is not None and run.finished_at is not None and run.started_at <= run.finished_at
    assert set(Unit.objects.filter(product=dishwasher).values_list("serial", flat=True)) == {"SN-1", "SN-2", "SN-3"}
    assert Sale.objects.get(number="H-1").customer.email == "lucia@example.es"
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"


@worker_db
def test_a_file_with_bad_rows_is_rejected_with_its_errors_and_nothing_is_written(manager, dishwasher):
    run = sales_import_submit(actor=manager, upload=csv_upload(BAD))

    run_worker()

    run.refresh_from_db()
    assert run.status == SalesImportStatus.REJECTED
    assert run.error_count == 2
    assert [(error["line"], error["field"]) for error in run.errors] == [(3, "sale_date"), (4, "sku")]
    assert all(error["reason"] for error in run.errors)
    assert (run.sales_created, run.units_created) == (0, 0)
    assert Sale.objects.count() == 0 and Customer.objects.filter(email="good@example.com").count() == 0


@worker_db
def test_an_unexpected_error_marks_the_import_crashed_and_logs_it(manager, dishwasher, caplog):
    run = sales_import_submit(actor=manager, upload=csv_upload(GOOD))
    run.file.storage.delete(run.file.name)  # the stored file vanished before the worker got to it

    with caplog.at_level(logging.ERROR, logger="aftersales.sales.import_runs"):
        run_worker()

    run.refresh_from_db()
    assert run.status == SalesImportStatus.CRASHED and run.finished_at is not None
    assert Sale.objects.count() == 0
    assert any("crashed" in record.getMessage() and record.exc_info for record in caplog.records)


@worker_db
def test_an_import_runs_once_however_many_workers_claim_it(manager, dishwasher):
    run = sales_import_submit(actor=manager, upload=csv_upload(GOOD))

    first = sales_import_execute(import_id=run.pk)
    second = sales_import_execute(import_id=run.pk)

    assert first.status == second.status == SalesImportStatus.IMPORTED
    assert second.sales_created == 2 and second.finished_at == first.finished_at
    assert Sale.objects.count() == 2 and Unit.objects.count() == 3


@worker_db
def test_a_worker_leaves_alone_an_import_another_worker_is_running(manager, dishwasher):
    run = sales_import_submit(actor=manager, upload=csv_upload(GOOD))
    SalesImport.objects.filter(pk=run.pk).update(status=SalesImportStatus.RUNNING, started_at=timezone.now())

    outcome = sales_import_execute(import_id=run.pk)

    assert outcome.status == SalesImportStatus.RUNNING and outcome.finished_at is None
    assert Sale.objects.count() == 0


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite lets no second writer in while an import runs")
@worker_db
def test_an_import_marked_crashed_while_it_ran_writes_nothing(manager, dishwasher, monkeypatch):
    run = sales_import_submit(actor=manager, upload=csv_upload(GOOD))
    real_import = import_runs.sales_import

    def sweep_from_another_connection() -> None:
        SalesImport.objects.filter(pk=run.pk).update(status=SalesImportStatus.CRASHED)
        connection.close()

    def import_then_swept(**kwargs):
        report = real_import(**kwargs)
        # the recovery sweep took the worker for dead before it committed
        sweeper = threading.Thread(target=sweep_from_another_connection)
        sweeper.start()
        sweeper.join()
        return report

    monkeypatch.setattr(import_runs, "sales_import", import_then_swept)

    outcome = sales_import_execute(import_id=run.pk)

    assert outcome.status == SalesImportStatus.CRASHED
    assert Sale.objects.count() == 0 and Unit.objects.count() == 0


@worker_db
def test_progress_is_recorded_where_the_database_allows_a_second_writer(manager, dishwasher, monkeypatch):
    monkeypatch.setattr(import_runs, "PROGRESS_SECONDS", 0.0)
    run = sales_import_submit(actor=manager, upload=csv_upload(GOOD))

    outcome = sales_import_execute(import_id=run.pk)

    assert outcome.status == SalesImportStatus.IMPORTED
    if connection.vendor == "postgresql":
        assert outcome.progress_bytes == run.size
    else:
        # SQLite has one writer at a time: the page shows an indeterminate "running" instead.
        assert outcome.progress_bytes == 0


@pytest.mark.django_db
def test_submitting_refuses_an_empty_or_too_big_file_and_stores_nothing(manager, settings):
    settings.SALES_IMPORT_MAX_BYTES = 100

    with pytest.raises(ValidationFailed) as empty:
        sales_import_submit(actor=manager, upload=csv_upload(""))
    with pytest.raises(ValidationFailed) as big:
        sales_import_submit(actor=manager, upload=csv_upload(GOOD))

    assert [(error.field, str(error.reason)) for error in empty.value.errors] == [("file", "the file is empty")]
    assert [(error.field, str(error.reason)) for error in big.value.errors] == [("file", "the file is larger than 100\xa0bytes")]
    assert SalesImport.objects.count() == 0
    assert not (settings.MEDIA_ROOT / "imports").exists()


@pytest.mark.django_db
def test_only_people_who_may_import_can_submit(technician):
    with pytest.raises(PermissionDenied):
        sales_import_submit(actor=technician, upload=csv_upload(GOOD))
    assert SalesImport.objects.count() == 0


# --- recovery -----------------------------------------------------------------------------------


@worker_db
def test_the_sweep_requeues_lost_tasks_and_marks_dead_runs_crashed(manager, dishwasher):
    long_ago = timezone.now() - dt.timedelta(hours=7)
    lost = sales_import_submit(actor=manager, upload=csv_upload(GOOD))
    waiting = sales_import_submit(actor=manager, upload=csv_upload(HEADER))
    dead = sales_import_submit(actor=manager, upload=csv_upload(HEADER))
    for run in (lost, waiting, dead):
        run.refresh_from_db()  # the task's id is recorded once the submission committed
    DBTaskResult.objects.filter(id=lost.task_id).delete()  # the queue lost this one's task
    SalesImport.objects.filter(pk__in=[lost.pk, waiting.pk]).update(updated_at=long_ago)
    SalesImport.objects.filter(pk=dead.pk).update(status=SalesImportStatus.RUNNING, started_at=long_ago)
    fresh = sales_import_submit(actor=manager, upload=csv_upload(HEADER))
    fresh.refresh_from_db()
    DBTaskResult.objects.filter(id=fresh.task_id).delete()  # just submitted: its task may still be on the way

    outcome = sales_imports_recover()

    assert outcome == {"crashed": 1, "requeued": 1}
    assert SalesImport.objects.get(pk=dead.pk).status == SalesImportStatus.CRASHED
    lost.refresh_from_db()
    assert lost.task_id and DBTaskResult.objects.filter(id=lost.task_id, status="READY").exists()
    assert not DBTaskResult.objects.filter(id=fresh.task_id).exists()
    assert SalesImport.objects.get(pk=waiting.pk).task_id == waiting.task_id  # its task is only behind others

    run_worker()

    assert SalesImport.objects.get(pk=lost.pk).status == SalesImportStatus.IMPORTED
    assert Sale.objects.count() == 2


@pytest.mark.django_db
def test_the_recovery_sweep_is_registered_with_the_tick():
    from aftersales.core.tick import sweeps

    assert "sales.recover_imports" in {sweep.name for sweep in sweeps()}


# --- the console --------------------------------------------------------------------------------


def console_upload(client, text: str, name: str = "sales.csv"):
    return client.post(reverse("console:import"), {"file": csv_upload(text, name)})


@worker_db
def test_console_upload_redirects_to_a_status_page_that_polls_until_the_import_is_done(client, manager, dishwasher):
    client.force_login(manager)

    response = console_upload(client, GOOD, name="spring.csv")

    run = SalesImport.objects.get()
    assert response.status_code == 303
    assert response["Location"] == reverse("console:import_run", args=[run.pk])
    page = client.get(response["Location"]).content.decode()
    assert "Queued" in page and "Waiting for a worker" in page
    fragment = client.get(response["Location"], headers={"HX-Request": "true"}).content.decode()
    assert 'hx-trigger="every 2s"' in fragment and "<html" not in fragment
    assert 'id="import-summary"' not in fragment

    run_worker()

    fragment = client.get(response["Location"], headers={"HX-Request": "true"}).content.decode()
    summary = dict(re.findall(r"<dt>([^<]+)</dt><dd>(\d+)</dd>", fragment))
    assert "hx-trigger" not in fragment  # finished: the page stops asking
    assert 'id="import-summary"' in fragment and "Import finished" in fragment
    assert summary["Sales created"] == "2" and summary["Units created"] == "3" and summary["Customers created"] == "2"
    listing = client.get(reverse("console:import")).content.decode()
    assert "spring.csv" in listing and reverse("console:import_run", args=[run.pk]) in listing


@worker_db
def test_console_status_page_says_when_an_import_crashed(client, manager, dishwasher):
    client.force_login(manager)
    response = console_upload(client, GOOD)
    run = SalesImport.objects.get()
    run.file.storage.delete(run.file.name)

    run_worker()

    page = client.get(response["Location"]).content.decode()
    assert 'id="import-crashed"' in page and "unexpected error" in page and "hx-trigger" not in page


@pytest.mark.django_db
def test_console_refuses_an_empty_or_too_big_file_next_to_the_field(client, manager, settings):
    settings.SALES_IMPORT_MAX_BYTES = 100
    client.force_login(manager)

    empty = console_upload(client, "")
    big = console_upload(client, GOOD)

    assert empty.status_code == 400 and "The submitted file is empty." in empty.content.decode()
    assert big.status_code == 400 and "the file is larger than 100\xa0bytes" in big.content.decode()
    assert SalesImport.objects.count() == 0 and DBTaskResult.objects.count() == 0


@pytest.mark.django_db
def test_console_import_pages_are_for_people_who_may_import(client, manager, technician):
    run = sales_import_submit(actor=manager, upload=csv_upload(GOOD))
    status_page = reverse("console:import_run", args=[run.pk])

    anonymous = client.get(status_page)
    client.force_login(technician)
    refused = client.get(status_page)
    refused_upload = console_upload(client, GOOD)
    client.force_login(manager)
    missing = client.get(reverse("console:import_run", args=[run.pk + 1000]))

    assert anonymous.status_code == 302 and anonymous["Location"].startswith(reverse("console:login"))
    assert refused.status_code == 403 and refused_upload.status_code == 403
    assert missing.status_code == 404
    assert SalesImport.objects.count() == 1


# --- the API ------------------------------------------------------------------------------------


def api_upload(client, text: str, query: str = ""):
    return client.post(f"/api/v1/imports/sales{query}", {"file": csv_upload(text)}, content_type=MULTIPART_CONTENT)


@worker_db
def test_api_background_upload_answers_202_and_the_import_can_be_followed(api_as, manager, dishwasher):
    client = api_as(manager)

    response = api_upload(client, GOOD, "?background=true")

    assert response.status_code == 202, response.content
    body = response.json()
    run = SalesImport.objects.get()
    assert body["id"] == run.pk and body["status"] == "queued"
    assert body["url"] == f"http://testserver/api/v1/imports/{run.pk}"
    assert Sale.objects.count() == 0
    assert client.get(f"/api/v1/imports/{run.pk}").json()["status"] == "queued"

    run_worker()

    followed = client.get(f"/api/v1/imports/{run.pk}").json()
    assert followed["status"] == "imported"
    assert (followed["sales_created"], followed["units_created"], followed["error_count"]) == (2, 3, 0)
    assert Sale.objects.count() == 2


@worker_db
def test_api_imports_big_files_in_the_background_without_being_asked(api_as, manager, dishwasher, monkeypatch):
    monkeypatch.setattr("aftersales.sales.api_imports.BACKGROUND_FROM_BYTES", len(HEADER) + 1)
    client = api_as(manager)

    big = api_upload(client, GOOD)
    small = api_upload(client, HEADER)

    assert big.status_code == 202 and big.json()["status"] == "queued"
    assert small.status_code == 200 and small.json()["rows"] == 0
    assert SalesImport.objects.count() == 1


@worker_db
def test_api_reports_the_errors_of_a_rejected_background_import(api_as, manager, dishwasher):
    client = api_as(manager)
    run_id = api_upload(client, BAD, "?background=true").json()["id"]

    run_worker()

    body = client.get(f"/api/v1/imports/{run_id}").json()
    assert body["status"] == "rejected" and body["error_count"] == 2
    assert [(error["line"], error["field"]) for error in body["errors"]] == [(3, "sale_date"), (4, "sku")]


@pytest.mark.django_db
def test_api_import_status_checks_the_caller(api_as, manager, technician):
    run = sales_import_submit(actor=manager, upload=csv_upload(GOOD))
    url = f"/api/v1/imports/{run.pk}"

    assert api_as().get(url).status_code == 401
    assert api_as(technician).get(url).status_code == 403
    assert api_upload(api_as(technician), GOOD, "?background=true").status_code == 403
    assert api_as(manager).get(f"/api/v1/imports/{run.pk + 1000}").status_code == 404
    assert api_as(manager).get(url).status_code == 200
    assert SalesImport.objects.count() == 1
