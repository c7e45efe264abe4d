"""Background ingest (issue 20): uploads answered at once as `queued`, a worker (django-tasks'
database backend, run here in-process) parses and reconciles; progress in the web app, the API
and the CLI; periodic jobs once a day; recovery of a delivery whose worker died."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.urls import reverse
from django_tasks import task

from chatarchief.access.constants import Role
from chatarchief.access.services import grant
from chatarchief.archive.models import Blob, Delivery, Message, PeriodicRun
from chatarchief.archive.services import blobs, registry
from chatarchief.cli import main
from chatarchief.intake import queue
from chatarchief.intake.worker import due_periodic, run_worker
from tests.scale.exports import export

pytestmark = [pytest.mark.django_db, pytest.mark.queue]

CALLS: list[str] = []


@task()
def ping() -> None:
    CALLS.append("ping")


@pytest.fixture
def custodian():
    registry.add_organisation("BZK", "Binnenlandse Zaken", actor="test")
    return registry.add_custodian("minister-bzk", name="Minister van BZK", actor="test", organisation="BZK")


@pytest.fixture
def operator(custodian, django_user_model):
    user = django_user_model.objects.create_user("operator")
    grant(user, Role.OPERATOR, custodian=custodian)
    return user


def test_a_web_upload_of_three_files_is_queued_then_worked_off_one_receipt_each(client, operator, custodian, tmp_path):
    client.force_login(operator)
    good = export(tmp_path, "WhatsApp Chat - Overleg.txt", 30)
    bigger = export(tmp_path / "b", "WhatsApp Chat - Overleg.txt", 40)  # the same chat, 10 more
    bad = tmp_path / "rommel.txt"
    bad.write_bytes(b"dit is geen chat-export\n" * 3)
    with good.open("rb") as a, bigger.open("rb") as b, bad.open("rb") as c:
        response = client.post("/upload/", {"custodian": custodian.pk, "files": [a, b, c]})
    assert response.status_code == 302
    ids = [int(i) for i in response["Location"].split("batch=")[1].split(",")]
    assert len(ids) == 3
    assert [Delivery.objects.get(pk=i).status for i in ids] == ["queued"] * 3
    assert Message.objects.count() == 0  # nothing parsed inside the request
    page = client.get(response["Location"]).content.decode()
    assert page.count('class="ca-receipt"') == 3 and "In de wachtrij" in page and 'aria-live="polite"' in page
    assert 'hx-trigger="every 1s"' in page

    assert run_worker(burst=True) == 3
    assert [Delivery.objects.get(pk=i).status for i in ids] == ["ingested", "ingested", "failed"]
    assert Message.objects.count() == 41  # 40 and the export's opening notice, each once
    page = client.get(response["Location"]).content.decode()
    assert page.count('class="ca-receipt"') == 3
    assert "Verwerkt" in page and "Mislukt" in page and "Dit is geen" in page
    assert 'hx-trigger="every 1s"' not in page  # done: nothing polls any more
    assert "3 bestanden aangeleverd: 2 verwerkt, 1 mislukt." in page

    # the status partial: unchanged -> 204 (nothing swapped, nothing announced); changed -> the receipt
    poll = {"HTTP_HX_REQUEST": "true"}
    assert client.get(f"/deliveries/{ids[0]}/?since=ingested", **poll).status_code == 204
    changed = client.get(f"/deliveries/{ids[0]}/?since=queued", **poll)
    assert (
        changed.status_code == 200
        and "Verwerkt" in changed.content.decode()
        and "<html" not in changed.content.decode()
    )


def test_the_same_file_again_is_a_duplicate_that_links_to_the_first(client, operator, custodian, tmp_path):
    client.force_login(operator)
    path = export(tmp_path, "WhatsApp Chat - Overleg.txt", 12)
    first = queue.submit(path, custodian, actor="test")
    run_worker(burst=True)
    with path.open("rb") as handle:
        response = client.post("/upload/", {"custodian": custodian.pk, "files": [handle]})
    again = Delivery.objects.latest("id")
    assert again.status == "duplicate" and again.duplicate_of_id == first.delivery.pk
    page = client.get(response["Location"]).content.decode()
    assert reverse("delivery", args=[first.delivery.pk]) in page


def test_the_api_answers_queued_with_a_status_url_and_the_worker_finishes_it(client, custodian, tmp_path):
    from chatarchief.api.accounts import add_service_account

    account, token = add_service_account("mdm", "BZK", ["deliver", "read_status"], actor="test")
    path = export(tmp_path, "WhatsApp Chat - Overleg.txt", 20)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    with path.open("rb") as handle:
        response = client.post("/api/v1/deliveries", {"custodian": custodian.slug, "file": handle}, **auth)
    assert response.status_code == 201, response.content
    receipt = response.json()
    assert receipt["status"] == "queued" and receipt["status_url"].endswith(
        f"/api/v1/deliveries/{receipt['delivery_id']}"
    )
    assert client.get(receipt["status_url"], **auth).json()["receipt"]["status"] == "queued"
    run_worker(burst=True)
    done = client.get(receipt["status_url"], **auth).json()["receipt"]
    assert done["status"] == "ingested" and done["counts"]["new"] == 21  # 20 and the opening notice


def test_cli_deliveries_by_status_as_json(custodian, tmp_path, capsys):
    queue.submit(export(tmp_path, "WhatsApp Chat - Overleg.txt", 5), custodian, actor="test")
    capsys.readouterr()
    assert main(["deliveries", "--status", "queued", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)["deliveries"]
    assert [(r["status"], r["custodian"], r["url"]) for r in rows] == [("queued", "minister-bzk", rows[0]["url"])]
    run_worker(burst=True)
    assert main(["deliveries", "--status", "queued", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["deliveries"] == []
    assert main(["deliveries", "--status", "ingested", "--json"]) == 0
    assert [r["status"] for r in json.loads(capsys.readouterr().out)["deliveries"]] == ["ingested"]


def test_cli_ingest_stays_in_the_foreground_unless_queued(custodian, tmp_path, capsys):
    path = export(tmp_path, "WhatsApp Chat - Overleg.txt", 5)
    assert main(["ingest", "--custodian", "minister-bzk", "--json", str(path)]) == 0
    assert json.loads(capsys.readouterr().out)["deliveries"][0]["status"] == "ingested"
    other = export(tmp_path / "b", "WhatsApp Chat - Overleg.txt", 7)
    assert main(["ingest", "--queue", "--custodian", "minister-bzk", "--json", str(other)]) == 0
    assert json.loads(capsys.readouterr().out)["deliveries"][0]["status"] == "queued"


def test_a_passphrase_waits_encrypted_and_is_destroyed_once_processed(custodian, tmp_path):
    path = export(tmp_path, "WhatsApp Chat - Overleg.txt", 5)
    outcome = queue.submit(path, custodian, actor="test", secret="geheime wachtwoordzin")
    delivery = Delivery.objects.get(pk=outcome.delivery.pk)
    assert delivery.secret_blob and blobs.store().exists(delivery.secret_blob)
    run_worker(burst=True)
    delivery.refresh_from_db()
    assert delivery.status == "ingested" and delivery.secret_blob == ""
    assert not blobs.store().exists(outcome.delivery.secret_blob)


def test_periodic_jobs_start_once_a_day_whichever_worker_asks(settings):
    settings.PERIODIC_TASKS = {"ping": {"task": "tests.scale.test_queue.ping", "at": "03:00"}}
    CALLS.clear()
    early = dt.datetime(2026, 3, 2, 1, 0, tzinfo=dt.UTC)  # 02:00 in Amsterdam: not yet
    assert due_periodic(early) == []
    later = dt.datetime(2026, 3, 2, 5, 0, tzinfo=dt.UTC)
    assert due_periodic(later) == ["ping"]
    assert due_periodic(later) == []  # a second worker, or the same one again: started already
    settings.PERIODIC_TASKS = {}  # the worker below would start today's run (the real clock)
    run_worker(burst=True)
    assert CALLS == ["ping"]
    assert PeriodicRun.objects.filter(name="ping").count() == 1
    settings.PERIODIC_TASKS = {"ping": {"task": "tests.scale.test_queue.ping", "at": "03:00"}}
    assert due_periodic(later + dt.timedelta(days=1)) == ["ping"]


def test_a_delivery_whose_worker_died_is_retried_then_failed_with_its_original_kept(custodian, tmp_path):
    outcome = queue.submit(export(tmp_path, "WhatsApp Chat - Overleg.txt", 8), custodian, actor="test")
    pk = outcome.delivery.pk
    from django_tasks_db.models import DBTaskResult

    DBTaskResult.objects.all().delete()  # the worker that held the task is gone with it
    dead = "elsewhere-host:1"
    Delivery.objects.filter(pk=pk).update(
        status="running", worker=dead, attempts=1, started_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    )
    assert queue.recover_stalled() == [pk]  # lease expired: back in the queue, with a task
    assert Delivery.objects.get(pk=pk).status == "queued"
    run_worker(burst=True)
    assert Delivery.objects.get(pk=pk).status == "ingested" and Message.objects.count() == 9

    again = queue.submit(export(tmp_path / "b", "WhatsApp Chat - Overleg.txt", 9), custodian, actor="test")
    DBTaskResult.objects.all().delete()
    Delivery.objects.filter(pk=again.delivery.pk).update(
        status="running", worker=dead, attempts=queue.MAX_ATTEMPTS, started_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    )
    assert queue.recover_stalled() == [again.delivery.pk]
    failed = Delivery.objects.get(pk=again.delivery.pk)
    assert failed.status == "failed" and failed.error_code == "ingest.interrupted"
    assert Blob.objects.filter(pk=failed.sha256).exists() and blobs.store().exists(failed.sha256)
    assert Message.objects.count() == 9  # nothing of the failed one


def test_the_upload_form_preselects_the_custodian_and_answers_every_malformed_post_without_a_500(
    client, operator, custodian, tmp_path
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(operator)
    page = client.get(f"/upload/?custodian={custodian.pk}").content.decode()
    assert f'<option value="{custodian.pk}" selected>' in page
    assert "zip" in page and "Ten hoogste" in page  # a Signal folder goes in as a zip; the size limit
    assert f'<option value="{custodian.pk}" selected>' in client.get("/upload/?custodian=minister-bzk").content.decode()
    assert f'<option value="{custodian.pk}" selected>' not in client.get("/upload/?custodian=999999").content.decode()

    def upload() -> SimpleUploadedFile:
        return SimpleUploadedFile("chat.txt", b"x")

    malformed = [
        {},
        {"custodian": custodian.pk},
        {"files": upload()},
        {"custodian": "abc", "files": upload()},
        {"custodian": "999999", "files": upload()},
        {"custodian": custodian.pk, "files": "not a file"},
        {"custodian": custodian.pk, "files": upload(), "exported_at": "gisteren"},
        {"custodian": custodian.pk, "files": upload(), "exported_at": "2026-13-45T99:99"},
        {"custodian": [custodian.pk, "x"], "files": upload()},
        {"custodian": custodian.pk, "files": upload(), "passphrase": "x" * 100_000},
        {"custodian": "\x00", "files": upload(), "exported_at": "\x00"},
    ]
    for data in malformed:
        response = client.post("/upload/", data)
        assert response.status_code < 500, data
        if response.status_code == 200:
            body = response.content.decode()
            assert "ca-error-summary" in body, data
    # after an error the choices are kept (the custodian and the moment; a browser never refills a file field)
    kept = client.post("/upload/", {"custodian": custodian.pk, "exported_at": "2026-03-01T10:00"}).content.decode()
    assert f'<option value="{custodian.pk}" selected>' in kept and 'value="2026-03-01T10:00"' in kept


def test_a_100_mb_upload_is_answered_queued_in_under_two_seconds_once_received(client, custodian, tmp_path):
    """Once the bytes are in (the web server's spool), keeping the original (SHA-256, encrypted into
    the blob store) and queueing it takes well under 2 s; the parse waits for a worker."""
    import time

    from chatarchief.api.accounts import add_service_account

    line = b"05-01-2026 09:00 - Anna de Vries: een bericht van ongeveer zestig tekens lang, ja\n"
    path = tmp_path / "WhatsApp Chat - Groot.txt"
    with path.open("wb") as sink:
        block = line * (1024 * 1024 // len(line) + 1)
        for _ in range(100):
            sink.write(block[: 1024 * 1024])
    assert path.stat().st_size == 100 * 1024 * 1024
    _, token = add_service_account("mdm", "BZK", ["deliver"], actor="test")
    with path.open("rb") as handle:
        response = client.post(
            "/api/v1/deliveries", {"custodian": custodian.slug, "file": handle}, HTTP_AUTHORIZATION=f"Bearer {token}"
        )
    assert response.status_code == 201 and response.json()["status"] == "queued"
    # timed: what the server does once the bytes are in (the test client's own multipart encoding
    # and Django's parsing into the spool are the "receiving" and take longer here than the rest)
    start = time.perf_counter()  # the upload as Django spooled it: kept from there (no second copy)
    outcome = queue.submit(path, custodian, file_name=path.name, actor="test")
    seconds = time.perf_counter() - start
    assert outcome.delivery.status in ("queued", "duplicate") and seconds < 2.0, seconds


def test_receipts_speak_english_too(client, operator, custodian, tmp_path):
    client.force_login(operator)
    client.cookies["django_language"] = "en"
    first = queue.submit(export(tmp_path, "WhatsApp Chat - Overleg.txt", 5), custodian, actor="test")
    second = queue.submit(export(tmp_path / "b", "WhatsApp Chat - Overleg.txt", 6), custodian, actor="test")
    page = client.get(f"/deliveries/{first.delivery.pk}/?batch={second.delivery.pk}").content.decode()
    assert "2 files delivered: 2 queued." in page and "waiting to be processed" in page


def test_a_receipt_lists_the_findings_of_its_delivery_each_linked_to_its_message(client, operator, custodian, tmp_path):
    from chatarchief.compliance.models import Finding

    client.force_login(operator)
    lines = [f"05-01-2026 09:0{k} - Anna de Vries: bericht {k} over de nota" for k in range(5)]
    first = tmp_path / "a" / "WhatsApp-chat met Overleg.txt"
    first.parent.mkdir()
    first.write_text("\n".join(lines) + "\n", encoding="utf-8")
    lines[2] = "05-01-2026 09:02 - Anna de Vries: Dit bericht is verwijderd"
    second = tmp_path / "b" / "WhatsApp-chat met Overleg.txt"
    second.parent.mkdir()
    second.write_text("\n".join(lines) + "\n", encoding="utf-8")
    queue.submit(first, custodian, actor="test")
    later = queue.submit(second, custodian, actor="test")
    run_worker(burst=True)
    finding = Finding.objects.get(delivery_id=later.delivery.pk, type="message_deleted")
    page = client.get(f"/deliveries/{later.delivery.pk}/").content.decode()
    link = f"/conversations/{finding.conversation_id}/?message={finding.message_id}#m-{finding.message_id}"
    assert link in page and "Bericht verwijderd" in page


def test_the_worker_builds_the_calendar_of_what_it_ingested(custodian, tmp_path, monkeypatch):
    """After a queued ingest the conversation's calendar is in the cache: the first page view after a
    delivery does not build it (with a shared cache, in another process as well)."""
    from chatarchief.archive.models import Conversation
    from chatarchief.archive.services import timeline

    queue.submit(export(tmp_path, "WhatsApp Chat - Overleg.txt", 30), custodian, actor="test")
    assert run_worker(burst=True) == 1
    conversation = Conversation.objects.get(custodian=custodian)
    built: list[int] = []
    real = timeline._build
    monkeypatch.setattr(timeline, "_build", lambda pk, zone: built.append(pk) or real(pk, zone))
    assert timeline.calendar(conversation, custodian.zone).total == 31  # 30 and the opening notice
    assert built == []
