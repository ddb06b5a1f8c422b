"""长者模式 in Chromium, measured rather than looked at: after one tap on the toggle, on the site and
on the form service, body text is at least 20 px with line height at least 1.5, text contrast at
least 7:1, every control at least 60×60 px, one column; and a reload remembers it."""
from __future__ import annotations

import pytest

from tests.helpers import PHONE

MEASURE = """() => {
  const problems = [];
  const visible = el => { const r = el.getBoundingClientRect(); const s = getComputedStyle(el);
      return r.width > 0 && r.height > 0 && s.visibility !== 'hidden' && s.display !== 'none' && s.opacity !== '0'; };
  const luminance = rgb => { const c = rgb.map(v => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
      return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2]; };
  const parse = color => (color.match(/[\\d.]+/g) || []).map(Number);
  const background = el => { for (let n = el; n; n = n.parentElement) {
      const c = parse(getComputedStyle(n).backgroundColor); if (c.length >= 3 && (c.length < 4 || c[3] > 0.5)) return c.slice(0, 3); }
      return [255, 255, 255]; };
  const main = document.querySelector('main') || document.body;
  let measured = 0;
  const ownText = el => [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
  for (const el of main.querySelectorAll('*')) {
    if (!visible(el) || !ownText(el) || el.closest('svg, .sb-qr, [aria-hidden=true]')) continue;
    measured += 1;
    const s = getComputedStyle(el), size = parseFloat(s.fontSize);
    const line = s.lineHeight === 'normal' ? 1.2 * size : parseFloat(s.lineHeight);
    const what = el.tagName.toLowerCase() + (el.className && typeof el.className === 'string' ? '.' + el.className.split(' ')[0] : '')
        + ' "' + el.textContent.trim().slice(0, 12) + '"';
    if (size < 19.9) problems.push(`text ${size}px: ${what}`);
    if (line / size < 1.49 && !/^h[1-6]$/.test(el.tagName.toLowerCase())) problems.push(`line height ${(line / size).toFixed(2)}: ${what}`);
    const fg = luminance(parse(s.color)), bg = luminance(background(el));
    const ratio = (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05);
    if (ratio < 6.95) problems.push(`contrast ${ratio.toFixed(2)}: ${what}`);
  }
  const controls = [...document.querySelectorAll(
      'main button, main select, main summary, main .md-button, main .button, main input:not([type=hidden]):not([type=checkbox]):not([type=radio]), ' +
      'main label:has(> input[type=checkbox]), main label:has(> input[type=radio]), [data-elder-toggle]')].filter(visible);
  for (const el of controls) {
    const r = el.getBoundingClientRect();
    if (r.height < 59.5 || r.width < 59.5) problems.push(`target ${Math.round(r.width)}×${Math.round(r.height)}: ${el.tagName.toLowerCase()} "${(el.textContent || el.name || '').trim().slice(0, 12)}"`);
  }
  const blocks = [...main.querySelectorAll('label.slot, .md-button, .button, .sb-card, .sb-station-grid a, .field, fieldset, article')].filter(visible);
  for (let i = 0; i < blocks.length; i++) for (let j = i + 1; j < blocks.length; j++) {
    const a = blocks[i].getBoundingClientRect(), b = blocks[j].getBoundingClientRect();
    const sameRow = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) > 0.5 * Math.min(a.height, b.height);
    const apart = a.right <= b.left + 1 || b.right <= a.left + 1;
    if (sameRow && apart && !blocks[i].contains(blocks[j]) && !blocks[j].contains(blocks[i])) {
      problems.push('two columns: "' + blocks[i].textContent.trim().slice(0, 10) + '" beside "' + blocks[j].textContent.trim().slice(0, 10) + '"');
      break;
    }
  }
  return {measured, problems: [...new Set(problems)].slice(0, 40)};
}"""

SITE = ["", "stations/wenhua-lu/", "officers/chen-hao/", "streets/wenchang/"]
FORMS = ["/book?station=wenhua-lu", "/complaint?station=wenhua-lu", "/track", "/staff/login"]


def pages(live):
    return [live["site"] + path for path in SITE] + [live["forms"] + path for path in FORMS]


@pytest.fixture(params=[PHONE, {"viewport": {"width": 1280, "height": 900}, "locale": "zh-CN"}], ids=["phone", "desktop"])
def context(request, browser):
    made = browser.new_context(**request.param)
    yield made
    made.close()


@pytest.mark.parametrize("index", range(len(SITE) + len(FORMS)))
def test_elder_mode_measures_up(context, live, index):
    url = pages(live)[index]
    page = context.new_page()
    page.goto(url)
    toggle = page.locator("[data-elder-toggle]").first
    assert toggle.is_visible() and toggle.get_attribute("aria-pressed") == "false"
    toggle.click()
    assert toggle.get_attribute("aria-pressed") == "true"
    assert page.evaluate("document.documentElement.classList.contains('sb-elder')")
    found = page.evaluate(MEASURE)
    assert found["measured"] >= 3, found  # the page's text was measured, not skipped
    assert found["problems"] == [], "\n".join([url] + found["problems"])
    page.reload()  # remembered by the browser
    assert page.evaluate("document.documentElement.classList.contains('sb-elder')")
    assert page.locator("[data-elder-toggle]").first.get_attribute("aria-pressed") == "true"
    page.locator("[data-elder-toggle]").first.click()  # and off again
    page.reload()
    assert not page.evaluate("document.documentElement.classList.contains('sb-elder')")


def test_the_choice_travels_between_the_site_and_the_form_service(context, live):
    """The site and the form service are two origins in `make demo` (two ports) and may be two
    hosts in production: each origin's storage is its own, so the choice travels in the links."""
    page = context.new_page()
    page.goto(live["site"] + "stations/wenhua-lu/")
    page.locator("[data-elder-toggle]").first.click()
    booking = page.locator(f'a[href^="{live["forms"]}/book"]').first
    assert "elder=1" in booking.get_attribute("href")
    booking.click()
    page.wait_for_url(f'{live["forms"]}/book*')
    assert page.evaluate("document.documentElement.classList.contains('sb-elder')")
    page.goto(live["forms"] + "/track")  # no parameter: the service remembers it now
    assert page.evaluate("document.documentElement.classList.contains('sb-elder')")
    page.locator("[data-elder-toggle]").first.click()  # off on the service, then back to the site
    page.locator(".header a").first.click()
    page.wait_for_url(live["site"] + "*")
    assert not page.evaluate("document.documentElement.classList.contains('sb-elder')")
