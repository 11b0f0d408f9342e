"""Pictures in a real browser on a phone: the home page's first visit stays light (under
300 KB transferred), the browser picks a modern format, and images reserve their space."""

import pytest

# Lighthouse's mobile device (a Moto G Power): 412 × 823 CSS px at 1.75 device pixels each.
LIGHTHOUSE_PHONE = {"width": 412, "height": 823}
HOME_BUDGET_BYTES = 300 * 1024


@pytest.fixture
def phone(browser, live_site):
    context = browser.new_context(
        base_url=live_site.url,
        viewport=LIGHTHOUSE_PHONE,
        device_scale_factor=1.75,
        is_mobile=True,
        has_touch=True,
    )
    yield context.new_page()
    context.close()


def test_home_page_first_visit_on_a_phone_transfers_under_300_kb(phone, capsys):
    finished = []
    phone.on("requestfinished", lambda request: finished.append(request))
    phone.goto("/", wait_until="networkidle")
    sizes = {
        request.url: request.sizes()["responseBodySize"] + request.sizes()["responseHeadersSize"]
        for request in finished
    }
    total = sum(sizes.values())
    images = {url: size for url, size in sizes.items() if "/media/" in url}
    with capsys.disabled():
        print(
            f"\nhome page, first visit on a 412 px phone: {total / 1024:.1f} KB in "
            f"{len(sizes)} responses ({sum(images.values()) / 1024:.1f} KB in {len(images)} images)"
        )
    # Other browser tests may have put picture-less events and articles first on the page by
    # now; the budget holds either way, and every image that is sent is a modern format.
    assert all(url.endswith(".avif") or url.endswith(".webp") for url in images), images
    assert total < HOME_BUDGET_BYTES, sizes


def test_images_have_their_size_before_they_load(phone):
    phone.goto("/events/")
    boxes = phone.locator("picture img").evaluate_all(
        "imgs => imgs.map(img => [img.getAttribute('width'), img.getAttribute('height'),"
        " img.getAttribute('alt'), img.getAttribute('loading')])"
    )
    assert boxes
    for width, height, alt, _ in boxes:
        assert int(width) > 0 and int(height) > 0 and alt
    # The first card may be the largest paint: its image (when it has one) is not lazy. Other
    # browser tests add events without pictures, so the first card may have none.
    first_card = phone.locator(".card").first.locator("picture img")
    if first_card.count():
        assert first_card.first.get_attribute("loading") != "lazy"
