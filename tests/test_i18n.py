"""Chinese first; English by the switch."""


def test_pages_are_chinese_even_when_the_browser_asks_for_english(sanitation_report,
                                                                  head_sanitation, client_for):
    page = client_for(head_sanitation).get("/workflow/inbox/", HTTP_ACCEPT_LANGUAGE="en-US,en")
    text = page.content.decode()
    assert "待办" in text and "季度" in text
    assert "Inbox" not in text


def test_the_switch_turns_the_same_page_english(sanitation_report, head_sanitation, client_for):
    client = client_for(head_sanitation)
    client.post("/i18n/setlang/", {"language": "en", "next": "/workflow/inbox/"})
    text = client.get("/workflow/inbox/").content.decode()
    assert "Inbox" in text and "Deadline" in text
    assert "市容环境卫生管理处" in text  # data stays as entered
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/workflow/inbox/"})
    assert "待办" in client.get("/workflow/inbox/").content.decode()
