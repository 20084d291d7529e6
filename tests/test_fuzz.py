"""Hostile values in every field of every page, as every role: never a 5xx, and a refusal
changes nothing.

Each URL the project defines (the access matrix's rules name them all, with the objects of
its ``world``) is opened by a role that may use it; every form the page renders (and the
query-string parameters of its links) is then sent with values Hypothesis generates: huge,
negative and 20-digit numbers, dates out of range or malformed, very long text, unicode, NUL
bytes, a field sent twice or left out, alongside the page's own values so that a bad value
reaches the service as well as the form. Every other role (and someone signed out) sends
hostile values to the same forms. ``SIGHTLINE_FUZZ_EXAMPLES`` sets how many values a run
generates in total (10,000 by default; ``make fuzz`` runs 100,000).
"""

import logging
import math
import time
import traceback
from collections import Counter
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.test import Client
from hypothesis import HealthCheck, Phase, given, settings

from sightline.accounts.tests.factories import MembershipFactory, UserFactory
from sightline.core.roles import Role
from tests import fuzzing
from tests.test_access_matrix import ANONYMOUS, CALLERS, RULES, Rule, _url, world

__all__ = ["world"]  # the access matrix's objects, a fixture here too

# Pages that make a file or start background work: a few hostile values each is enough.
SLOW_WORDS = ("pdf", "docx", "pptx", "export", "certificate", "template", "download", "pack")


def _group(name: str) -> str:
    """The app an address belongs to (the project's own, like health, with core's)."""
    return name.split(":")[0] if ":" in name else "core"


GROUPS = sorted({_group(name) for name in RULES})


def _urls(group: str) -> list[str]:
    return sorted(name for name in RULES if _group(name) == group)


def _discoverer(rule: Rule) -> str | Role:
    if rule.allowed is None:
        return ANONYMOUS
    if Role.ADMINISTRATOR in rule.allowed:
        return Role.ADMINISTRATOR
    return sorted(rule.allowed)[0] if rule.allowed else Role.ADMINISTRATOR


class Run:
    """What one group's run sent and found."""

    def __init__(self, world: dict) -> None:
        self.world = world
        self.clients: dict[str | Role, Client] = {}
        self.users: dict[str | Role, Any] = {}
        self.values = 0
        self.requests = 0
        self.failures: list[str] = []
        self.statuses: Counter[int] = Counter()
        self.tables = fuzzing.watched_tables()
        self.sql = fuzzing.fingerprint_sql(self.tables)
        self.last: dict[str, str] = {}
        for caller in CALLERS:
            client = Client()
            if caller != ANONYMOUS:
                user: Any = UserFactory()
                MembershipFactory(user=user, agency=world["home_agency"], role=caller)
                MembershipFactory(agency=world["home_agency"], role=Role.ADMINISTRATOR)
                self.users[caller] = user
                client.force_login(user)
            self.clients[caller] = client

    def relogin(self, caller: str | Role) -> None:
        if caller != ANONYMOUS:
            user = self.users[caller]
            user.refresh_from_db()
            if not user.is_active:
                user.is_active = True
                user.save(update_fields=["is_active"])
            self.clients[caller].force_login(user)
            # Signing in again writes the user's last sign-in: the next request starts here.
            self.last = fuzzing.fingerprint(self.sql, self.tables)

    def send(self, name: str, caller: str | Role, form: fuzzing.Form, data: dict) -> None:
        client = self.clients[caller]
        # What the last request (or signing in again) left.
        before = self.last
        self.requests += 1
        try:
            if form.method == "post":
                response = client.post(form.action, data)
            else:
                response = client.get(form.action, data)
        except Exception as error:  # a 500: Django's test client raises what the view raised
            frames = [
                frame
                for frame in traceback.extract_tb(error.__traceback__)
                if "/sightline/" in frame.filename
            ]
            where = f"{frames[-1].filename}:{frames[-1].lineno}" if frames else "?"
            self.failures.append(
                f"{name} as {caller}: {form.method.upper()} {form.action} raised "
                f"{type(error).__name__}: {error!s:.200} at {where}, with {data!r:.400}"
            )
            self.relogin(caller)
            return
        status = response.status_code
        self.statuses[status] += 1
        # A 5xx the access matrix names as the page's answer is expected (single sign-on's
        # start page says 502 when, as in the test settings, the provider cannot be reached).
        if status >= 500 and status not in RULES[name].public_status - {200, 302}:
            self.failures.append(f"{name} as {caller}: {status} for {data!r:.600}")
        accepted = form.method == "post" and status in (301, 302, 303)
        after = self.last = fuzzing.fingerprint(self.sql, self.tables)
        if not accepted and status != 301:
            changed = sorted(t for t in before if before[t] != after[t])
            if changed and not (form.method == "get" and status in (302, 303)):
                self.failures.append(
                    f"{name} as {caller}: {form.method.upper()} answered {status} "
                    f"but changed {changed} with {data!r:.300}"
                )
        if form.method == "post" or "/sign-in/" in response.get("Location", ""):
            self.relogin(caller)


def _forms(run: Run, name: str, rule: Rule, caller: str | Role) -> list[fuzzing.Form]:
    url = _url(name, rule, run.world)
    forms: list[fuzzing.Form] = []
    if rule.method == "get":
        response = run.clients[caller].get(url)
        run.requests += 1
        if response.status_code == 200 and "html" in response.get("Content-Type", ""):
            forms = fuzzing.page_forms(response.content.decode(), url)
        if response.status_code in (301, 302):
            run.relogin(caller)
    else:
        fields = {key: [str(value)] for key, value in rule.data.items()}
        for spec in rule.form:
            key, _, obj = spec.partition(":")
            fields[key] = [str(run.world[obj].pk)]
        forms.append(fuzzing.Form(method="post", action=url, fields=fields))
    # Every address also takes a query string it may read: where to go next, which page.
    forms.append(fuzzing.Form(method=rule.method, action=url, fields={"next": [], "page": []}))
    # The page's own forms and those posting elsewhere (a remove button); not the search
    # box every page's header carries, fuzzed on its own page.
    path = urlsplit(url).path
    return [
        form
        for form in forms
        if form.action.startswith("/")
        and (urlsplit(form.action).path == path or form.method == "post")
    ]


@pytest.fixture
def quiet():
    """No warning logged for each of the thousands of refusals (a 400, 403 or 404)."""
    logging.disable(logging.WARNING)
    yield
    logging.disable(logging.NOTSET)


def _fuzz(run: Run, name: str, caller: str | Role, form: fuzzing.Form, count: int) -> None:
    """Send ``count`` sets of generated values to ``form`` as ``caller``."""

    @settings(
        parent=settings.get_profile("ci"),
        max_examples=count,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
        phases=(Phase.generate,),
    )
    @given(chosen=fuzzing.field_values(form))
    def fuzz(chosen: dict) -> None:
        data, generated = fuzzing.request_data(form, chosen)
        run.values += generated
        run.send(name, caller, form, data)

    fuzz()


@pytest.mark.parametrize("group", GROUPS)
def test_no_hostile_value_answers_500_or_changes_data_when_refused(world, group, quiet):
    started = time.monotonic()
    run = Run(world)
    names = _urls(group)
    share = math.ceil(fuzzing.FUZZ_VALUES * len(names) / len(RULES))
    targets: list[tuple[str, Rule, str | Role, fuzzing.Form]] = []
    for name in names:
        rule = RULES[name]
        caller = _discoverer(rule)
        forms = [form for form in _forms(run, name, rule, caller) if form.fields]
        targets.extend((name, rule, caller, form) for form in forms)
    run.last = fuzzing.fingerprint(run.sql, run.tables)

    # Every other role, and someone signed out, sends hostile values to each address's first
    # form (its page's own, or its query string): refused (or answered) without a 5xx.
    hostile = 0
    seen: set[str] = set()
    for name, rule, caller, form in targets:
        if name in seen:
            continue
        seen.add(name)
        values = {field: ["9" * 20, "\x00"] for field in form.fields}
        for other in CALLERS:
            if other != caller and not (rule.allowed is None and other != ANONYMOUS):
                hostile += len(values)
                run.values += len(values)
                run.send(name, other, form, values)

    def few(name: str, form: fuzzing.Form) -> bool:
        return any(word in name for word in SLOW_WORDS) or set(form.fields) == {"next", "page"}

    # The rest of the group's share of generated values goes to the forms of pages that
    # answer quickly, each example giving about three fields in four a generated value.
    fields = sum(len(form.fields) for name, _, _, form in targets if not few(name, form))
    fixed = sum(len(form.fields) for name, _, _, form in targets if few(name, form))
    examples = max(1, math.ceil((share - hostile - 0.75 * fixed) / (0.75 * max(1, fields))))
    for name, _rule, caller, form in targets:
        _fuzz(run, name, caller, form, 1 if few(name, form) else examples)

    elapsed = time.monotonic() - started
    print(  # the figures a run reports, shown with -s
        f"\nfuzz {group}: {run.values} values, {run.requests} requests, "
        f"{elapsed:.1f} s, statuses {dict(sorted(run.statuses.items()))}"
    )
    assert run.failures == [], "\n\n".join(run.failures[:20])
    assert run.values >= share, (run.values, share)


def test_the_form_reader_finds_every_field_a_page_renders():
    html = """
    <form method="post" action="/x/">
      <input type="hidden" name="once" value="t1">
      <input name="title" value="A &amp; B">
      <input type="checkbox" name="flag" value="on" checked>
      <input type="radio" name="kind" value="a"><input type="radio" name="kind" value="b">
      <select name="agency"><option value="">Choose</option><option value="7" selected>A</option></select>
      <textarea name="notes">Hello</textarea>
      <input type="file" name="upload"><button type="submit">Save</button>
    </form>
    <form method="post" action="/sign-out/"><input name="csrf" value="x"></form>
    <a href="/here/?page=2&amp;sort=name">Next</a><a href="/elsewhere/?q=1">Away</a>
    """
    forms = fuzzing.page_forms(html, "/here/")
    assert [(form.method, form.action) for form in forms] == [("post", "/x/"), ("get", "/here/")]
    posted, links = forms
    assert posted.fields == {
        "once": ["t1"],
        "title": ["A & B"],
        "flag": ["on"],
        "kind": [],
        "agency": ["7"],
        "notes": ["Hello"],
        "upload": [],
    }
    assert posted.options["kind"] == ["a", "b"]
    assert posted.files == {"upload"}
    assert links.fields == {"page": ["2"], "sort": ["name"]}


def test_a_refusal_that_changes_data_is_found(db, agency):
    tables = fuzzing.watched_tables()
    sql = fuzzing.fingerprint_sql(tables)
    before = fuzzing.fingerprint(sql, tables)
    agency.name = agency.name + " changed"
    agency.save()
    after = fuzzing.fingerprint(sql, tables)
    assert [t for t in before if before[t] != after[t]] == ["accounts_agency"]
