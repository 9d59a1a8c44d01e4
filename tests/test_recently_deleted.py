"""A deleted object is listed under "Recently deleted" and restored from there, with what was
deleted along with it."""

import pytest
from django.contrib.auth.models import Group, User
from django.urls import reverse

from kb.models import Fault, Likelihood, Procedure

pytestmark = pytest.mark.django_db
PAGE = "/admin/recently-deleted/"


@pytest.fixture
def editor(client):
    user = User.objects.create_user("editor", password="pw-for-tests-123", is_staff=True)
    user.groups.add(Group.objects.get(name="Content editor"))
    client.force_login(user)
    return user


def delete_in_admin(client, obj):
    url = reverse(f"admin:kb_{obj._meta.model_name}_delete", args=[obj.pk])
    assert client.post(url, {"post": "yes"}).status_code == 302


def test_a_deleted_fault_is_restored_with_its_likelihoods_and_procedures(client, editor, content):
    fault = Fault.objects.get(slug="lock-frozen")
    pk, likelihoods = fault.pk, Likelihood.objects.filter(fault=fault).count()
    procedures = set(fault.procedures.values_list("pk", flat=True))
    delete_in_admin(client, fault)
    assert not Fault.objects.filter(pk=pk).exists()
    body = client.get(PAGE).content.decode()
    assert "Fault “Lock frozen" in body
    assert "Likelihood “" not in body  # restored with the fault, not listed alone
    row = Fault.history.filter(id=pk, history_type="-").latest("history_date")
    response = client.post(PAGE, {"model": "fault", "history_id": row.history_id}, follow=True)
    assert "Restored fault" in response.content.decode()
    fault = Fault.objects.get(pk=pk)
    assert fault.likelihoods.count() == likelihoods
    assert set(fault.procedures.values_list("pk", flat=True)) == procedures
    assert "Nothing deleted recently" in client.get(PAGE).content.decode()


def test_a_step_is_restored_with_its_procedure(client, editor, content):
    procedure = Procedure.objects.filter(steps__isnull=False).first()
    steps = procedure.steps.count()
    pk = procedure.pk
    delete_in_admin(client, procedure)
    row = Procedure.history.filter(id=pk, history_type="-").latest("history_date")
    client.post(PAGE, {"model": "procedure", "history_id": row.history_id})
    assert Procedure.objects.get(pk=pk).steps.count() == steps


def test_bad_restore_requests_are_messages_not_errors(client, editor, content):
    for data in [
        {},
        {"model": "nothing", "history_id": "1"},
        {"model": "fault", "history_id": "x"},
    ]:
        assert client.post(PAGE, data).status_code == 302
    response = client.post(PAGE, {"model": "fault", "history_id": "999999"}, follow=True)
    assert "not in the history" in response.content.decode()
