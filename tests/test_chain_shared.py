"""What the chain answers, and the side menu drawn from it, are shared by a process's
requests while the org chart stays the same (accounts.chain, records.context_processors):
any change to the chart, made in this process or in another, shows on the next page."""

import datetime
import re

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from accounts import chain
from accounts.models import ChartVersion, Post, Unit, User

from .conftest import open_task, review, submit, task_url


def copy_to_names(page: str) -> set[str]:
    select = page.split('name="copy_to"')[1].split("</select>")[0]
    return set(re.findall(r"<option [^>]*>([^<]+)</option>", select))


@pytest.fixture
def review_page(sanitation_report, head_sanitation, leader_li, client_for):
    submit(client_for(head_sanitation), sanitation_report)
    client = client_for(leader_li)
    url = task_url(open_task(sanitation_report))
    return lambda: client.get(url).content.decode()


def test_a_second_page_asks_the_chain_nothing_but_its_version(review_page, secretary):
    first = review_page()
    with CaptureQueriesContext(connection) as queries:
        second = review_page()
    assert str(secretary) in copy_to_names(second) == copy_to_names(first)
    asked = [q["sql"] for q in queries.captured_queries]
    assert not [sql for sql in asked
                if 'FROM "accounts_post"' in sql or 'FROM "accounts_unit"' in sql]
    assert len([sql for sql in asked if "accounts_chartversion" in sql]) == 1


def test_a_new_post_shows_on_the_next_page(review_page):
    assert "新任领导" not in copy_to_names(review_page())
    newcomer = User.objects.create(username="leader_new", name="新任领导")
    Post.objects.create(user=newcomer, unit=Unit.objects.get(code="bureau"),
                        role=Post.Role.LEADER, valid_from=chain.today())
    assert "新任领导" in copy_to_names(review_page())


def test_a_change_another_process_made_shows_once_its_version_is_there(review_page, secretary):
    before = ChartVersion.objects.get().token
    assert str(secretary) in copy_to_names(review_page())
    # another process ends the secretary's post: the rows change (no signal here) ...
    Post.objects.filter(user=secretary).update(valid_to=chain.today() - datetime.timedelta(1))
    assert str(secretary) in copy_to_names(review_page())  # what this process shares
    # ... and its signal gave the chart a new version, in the same transaction
    ChartVersion.objects.update(token="changed-elsewhere")
    assert str(secretary) not in copy_to_names(review_page())
    assert before != "changed-elsewhere"


def test_a_change_rolled_back_leaves_the_version_as_it_was(bureau, secretary):
    before = ChartVersion.objects.get().token
    with pytest.raises(RuntimeError), transaction.atomic():
        Post.objects.filter(user=secretary).get().delete()
        assert ChartVersion.objects.get().token != before
        raise RuntimeError
    assert ChartVersion.objects.get().token == before
    # a login stamps last_login only: the chart is the same
    secretary.last_login = datetime.datetime.now(datetime.UTC)
    secretary.save(update_fields=["last_login"])
    assert ChartVersion.objects.get().token == before
    secretary.name = "新名字"
    secretary.save()
    assert ChartVersion.objects.get().token != before


def test_the_menu_follows_the_chart_and_the_inbox_its_count(
        review_page, sanitation_report, leader_li, client_for):
    leader = client_for(leader_li)
    assert "/reports/sign-off/" in leader.get("/reports/").content.decode()
    assert "/reports/sign-off/" in leader.get("/reports/").content.decode()  # kept rendered

    def inbox_count():
        page = leader.get("/workflow/inbox/").content.decode()
        return int(re.search(r'待办</span>\s*<span class="mdc-list-item__meta">(\d+)',
                             page).group(1))

    assert inbox_count() == 1
    review(leader, sanitation_report, "sign_off", "同意。")
    assert inbox_count() == 0  # counts change all day: that menu is drawn each time
    # the leader's post ends, and no review waits for them: no bulk sign-off in the menu
    post = Post.objects.get(user=leader_li, role=Post.Role.LEADER)
    post.valid_to = chain.today() - datetime.timedelta(1)
    post.save()
    assert "/reports/sign-off/" not in leader.get("/reports/").content.decode()


def test_the_menu_kept_for_one_person_is_not_shown_to_another(bureau, leader_li, head_legal,
                                                            client_for):
    assert "/reports/sign-off/" in client_for(leader_li).get("/reports/").content.decode()
    assert "/reports/sign-off/" not in client_for(head_legal).get("/reports/").content.decode()
    english = client_for(leader_li)
    english.cookies["django_language"] = "en"
    page = english.get("/reports/").content.decode()
    assert "Bulk sign-off" in page and "批量签批" not in page


def test_a_change_made_in_sql_shows_after_chart_changed(review_page, secretary):
    import io

    from django.core.management import call_command

    assert str(secretary) in copy_to_names(review_page())
    Post.objects.filter(user=secretary).update(valid_to=chain.today() - datetime.timedelta(1))
    out = io.StringIO()
    call_command("chart_changed", stdout=out)
    assert ChartVersion.objects.get().token in out.getvalue()
    assert str(secretary) not in copy_to_names(review_page())
