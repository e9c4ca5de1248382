"""The console's menu on a phone (390 px, Bahasa Indonesia), for every role: each item is on
the screen without scrolling sideways, nothing covers it, and tapping it opens its page. The
administrator's menu is the longest (seven items): it wraps onto more lines."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from tests.browser.test_console_pages import _signed_in
from tests.integration.world import World

pytestmark = pytest.mark.browser

# where each item is in reach: inside the screen, and the topmost element at its centre
IN_REACH = """(link) => {
  const box = link.getBoundingClientRect();
  const hit = document.elementFromPoint(box.left + box.width / 2, box.top + box.height / 2);
  return box.width > 0 && box.left >= 0 && box.right <= window.innerWidth
    && (hit === link || link.contains(hit));
}"""


@pytest.mark.parametrize("role", ["producer", "operator", "qa", "regulator", "admin"])
async def test_every_menu_item_is_in_reach_on_a_phone(  # type: ignore[no-untyped-def]
    browser, server_url, pool, world: World, role
):
    who = {"producer": world.producer, "operator": world.operator, "qa": world.qa,
           "regulator": world.regulator, "admin": world.admin}[role]  # fmt: skip
    tab = await _signed_in(browser, server_url, pool, who, "390")
    page = tab.page
    links = page.locator("nav.nav a")
    hrefs = [await links.nth(i).get_attribute("href") for i in range(await links.count())]
    assert len(hrefs) >= 3, hrefs
    if role == "admin":  # the longest menu: every administration page is in it
        assert {"/app/markets", "/app/admin/users", "/app/admin/irradiators"} <= set(hrefs)
        assert len(hrefs) >= 8, hrefs
    # the menu never scrolls sideways, nor does the page
    assert await page.evaluate(
        "(() => { const ul = document.querySelector('nav.nav ul');"
        " return ul.scrollWidth <= ul.clientWidth; })()"
    )
    for href in hrefs:
        link = page.locator(f"nav.nav a[href='{href}']")
        assert await link.evaluate(IN_REACH), f"{href} is out of reach at 390 px as {role}"
    await tab.snap(f"menu-{role}")
    # the last item (the one a sideways scroll hid) opens its page with a tap
    last = hrefs[-1]
    assert last is not None
    await page.locator(f"nav.nav a[href='{last}']").click()
    assert urlsplit(page.url).path == last
    assert await page.locator(f"nav.nav a[href='{last}']").get_attribute("aria-current") == "page"
    assert tab.problems == []
    await page.context.close()
