"""The event path with images equals the full build (issue 22.2, SPEC 3.3.1): a page shows its
bundle's images as `<picture>` with their variants whatever order the files arrive in, renders
again when an image is replaced or deleted, and an image uploaded again with the same bytes
writes nothing."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from pressroom.adapters.aws.s3 import S3SiteStore
from support.accounts import Site, assert_changes_invalidated, assert_converged
from support.images import photo

POST = b"---\ntitle: Trip\ndate: 2024-05-01\ntags: [travel]\n---\n\nWe went.\n\n![The beach](beach.jpg)\n"
VARIANT = re.compile(r"posts/trip/beach\.[0-9a-f]{12}\.\d+\.(avif|webp|jpg)")


def variants(site: Site) -> set[str]:
    return {key for key in site.published() if VARIANT.fullmatch(key)}


def start(site: Site) -> None:
    site.put("site.yaml", b"title: Photos\nbaseURL: https://photos.example/\n")
    site.put("posts/other.md", b"---\ntitle: Other\ndate: 2024-01-01\n---\nNo image.\n")
    site.drain()


@pytest.mark.parametrize("order", ["post first", "image first", "one push, post first", "one push, image first"])
def test_a_post_and_its_image_converge_in_either_order(site: Site, order: str) -> None:
    start(site)
    files = [("posts/trip/index.md", POST), ("posts/trip/beach.jpg", photo(900, 600, orientation=6))]
    if "image first" in order:
        files.reverse()
    for key, body in files:
        site.put(key, body)
        if "one push" not in order:
            site.drain()
            assert_converged(site)
    site.drain()
    assert_converged(site)
    page = site.published()["posts/trip/index.html"][0].decode()
    assert 'width="600" height="900"' in page and "<picture>" in page
    # 96, 160, 192, 320, 360 and 600 (the original's width) in AVIF and WebP, and the 600-px JPEG
    assert len(variants(site)) == 13
    assert site.errors() == {}


def test_a_replaced_then_deleted_image_re_renders_its_page_and_takes_its_variants_along(site: Site) -> None:
    start(site)
    site.put("posts/trip/index.md", POST)
    site.put("posts/trip/beach.jpg", photo(900, 600))
    site.drain()
    first = variants(site)
    before = site.published()
    site.put("posts/trip/beach.jpg", photo(1600, 1200, colour=(20, 90, 160)))
    site.drain()
    assert_converged(site)
    assert_changes_invalidated(site, before)
    assert variants(site).isdisjoint(first), "the old bytes' variants are deleted"
    assert 'width="1600" height="1200"' in site.published()["posts/trip/index.html"][0].decode()
    site.delete("posts/trip/beach.jpg")
    site.drain()
    assert_converged(site)
    assert variants(site) == set()
    assert '<img src="beach.jpg" alt="The beach"' in site.published()["posts/trip/index.html"][0].decode()


def test_a_page_that_stops_showing_its_image_takes_the_variants_along(site: Site) -> None:
    start(site)
    site.put("posts/trip/index.md", POST)
    site.put("posts/trip/beach.jpg", photo(500, 400))
    site.drain()
    assert variants(site)
    site.put("posts/trip/index.md", POST.replace(b"![The beach](beach.jpg)", b"No picture after all."))
    site.drain()
    assert_converged(site)
    assert variants(site) == set() and "posts/trip/beach.jpg" in site.published()
    site.put("posts/trip/index.md", POST.replace(b"date: 2024-05-01", b"date: 2024-05-01\ndraft: true"))
    site.drain()
    assert_converged(site)


def test_an_image_uploaded_again_with_the_same_bytes_writes_no_variant_and_no_page(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    start(site)
    image = photo(700, 500)
    site.put("posts/trip/index.md", POST)
    site.put("posts/trip/beach.jpg", image)
    site.drain()
    written: list[str] = []
    put, delete = S3SiteStore.put, S3SiteStore.delete

    def record_put(self: Any, key: str, *args: Any) -> None:
        written.append(key)
        put(self, key, *args)

    def record_delete(self: Any, keys: Any) -> None:
        keys = list(keys)
        written.extend(keys)
        delete(self, keys)

    monkeypatch.setattr(S3SiteStore, "put", record_put)
    monkeypatch.setattr(S3SiteStore, "delete", record_delete)
    site.put("posts/trip/beach.jpg", image)
    site.drain()
    assert [key for key in written if key != "posts/trip/beach.jpg"] == []
    assert_converged(site)


def test_a_feature_image_reaches_the_thumbnails_of_every_list_page_that_shows_its_post(site: Site) -> None:
    """The post sits on the second page of the home, its section and its tag: each renders again."""
    site.put("site.yaml", b"title: Photos\nbaseURL: https://photos.example/\npagerSize: 2\n")
    for day in range(1, 4):
        site.put(
            f"posts/new{day}.md", f"---\ntitle: New {day}\ndate: 2025-01-0{day}\ntags: [travel]\n---\nx\n".encode()
        )
    site.put("posts/trip/index.md", POST)
    site.drain()
    assert_converged(site)
    site.put("posts/trip/feature.jpg", photo(1600, 900))
    site.drain()
    assert_converged(site)
    assert '<a class="thumb"' in site.published()["page/2/index.html"][0].decode()
    site.put("posts/trip/feature.jpg", photo(1200, 1200, colour=(0, 0, 0)))
    site.drain()
    assert_converged(site)
    site.delete("posts/trip/feature.jpg")
    site.drain()
    assert_converged(site)


def hold_the_lease() -> Any:
    """Another invocation's hold on the lease (as a long round would): the one an upload reaches
    records its change and leaves the publishing to it."""
    import time

    from pressroom.engine.control import Control
    from pressroom.shells.runtime import Resources, ports

    control = Control(ports(Resources.from_env()).table, "another invocation")
    assert control.try_acquire(time.time(), 600).lease is not None
    return control


def drop_queued_copies(site: Site) -> None:
    """The queue's copies of the events the handler got straight, and the message an invocation
    that found the lease held sent to come back once it runs out (ten minutes on): the tick
    published what they name."""
    site.sqs.purge_queue(QueueUrl=site.names["QUEUE_URL"])


def upload_reaching_the_handler(site: Site, key: str, body: bytes, request_id: str = "local") -> None:
    """An upload whose S3 notification reaches the handler straight (as Lambda delivers it),
    its queued copy left for a later drain."""
    site.put(key, body)
    reaching_the_handler(site, key, request_id)


def reaching_the_handler(site: Site, key: str, request_id: str) -> None:
    """The S3 notification of `key` sent straight to the handler, as the invocation `request_id`."""
    bucket = {"name": site.names["SOURCE_BUCKET"]}
    site.invoke({"Records": [{"eventSource": "aws:s3", "eventName": "ObjectCreated:Put",
                              "s3": {"bucket": bucket, "object": {"key": key}}}]}, request_id)  # fmt: skip


def test_the_invocation_a_photo_reaches_makes_its_variants_before_the_lease_and_the_holder_adopts_them(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 22.4: the variants are made by whoever receives the image, while another invocation
    holds the lease; the holder then publishes the page with them without decoding the photo,
    and the site equals the full build."""
    start(site)
    site.put("posts/trip/index.md", POST)
    site.drain()
    before = site.published()
    holder = hold_the_lease()
    upload_reaching_the_handler(site, "posts/trip/beach.jpg", photo(900, 600))
    made_ahead = variants(site)
    # Every variant the full build publishes, made by the receiving invocation: the lease is held elsewhere.
    assert made_ahead == {key for key in site.expected() if VARIANT.fullmatch(key)}
    assert "<picture>" not in site.published()["posts/trip/index.html"][0].decode(), "the page waits for the holder"
    holder.free()

    def never(*args: object) -> bytes:
        raise AssertionError("the holder made a variant that was made already")

    from pressroom.core.site import outputs

    made = outputs.variant_bytes
    monkeypatch.setattr(outputs, "variant_bytes", never)
    site.invoke({"pressroom": "tick"})
    drop_queued_copies(site)
    monkeypatch.setattr(outputs, "variant_bytes", made)  # the full build makes its own
    assert_converged(site)
    assert variants(site) == made_ahead
    assert "<picture>" in site.published()["posts/trip/index.html"][0].decode()
    assert_changes_invalidated(site, before)  # the variants made ahead too: the holder adopted them


def test_variants_made_ahead_that_no_page_shows_are_swept_by_the_round(site: Site) -> None:
    """A photo no page shows, and a photo replaced before the holder saw the first bytes: the
    variants written ahead of the lease are deleted in the same drain (SPEC 3.3.1 holds)."""
    start(site)
    site.put("posts/trip/index.md", POST.replace(b"![The beach](beach.jpg)", b"No picture yet."))
    site.drain()
    holder = hold_the_lease()
    upload_reaching_the_handler(site, "posts/trip/beach.jpg", photo(640, 480))
    assert len(variants(site)) == 13, "made ahead (6 widths up to 640 px, 2 formats, the fallback)"
    upload_reaching_the_handler(site, "posts/trip/index.md", POST)  # shows it now...
    upload_reaching_the_handler(site, "posts/trip/beach.jpg", photo(800, 500, colour=(10, 200, 90)))  # other bytes
    assert len(variants(site)) == 13 + 15
    holder.free()
    site.invoke({"pressroom": "tick"})
    drop_queued_copies(site)
    assert_converged(site)
    site.put("posts/trip/index.md", POST.replace(b"![The beach](beach.jpg)", b"No picture after all."))
    site.drain()
    assert_converged(site)
    assert variants(site) == set()


def test_variants_written_ahead_by_an_invocation_that_died_before_recording_its_change_go_once_its_event_comes_back(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 22: the invocation a photo reaches writes its variants ahead of the lease, then dies
    before the inbox records the change, and the photo is deleted meanwhile. Lambda retries the
    event under the same request id: the retry cannot make those variants any more, but it reads
    where the first try wrote (its record in DynamoDB) and asks the round to sweep there."""
    from pressroom.engine.control.inbox import Inbox

    start(site)
    site.put("posts/trip/index.md", POST)
    site.drain()
    holder = hold_the_lease()
    accept = Inbox.accept

    def die(self: Inbox, changes: Any, at: float) -> None:
        raise RuntimeError("the function died before recording its change")

    monkeypatch.setattr(Inbox, "accept", die)
    with pytest.raises(RuntimeError):
        upload_reaching_the_handler(site, "posts/trip/beach.jpg", photo(640, 480), request_id="photo-upload")
    assert len(variants(site)) == 13, "written ahead, before the inbox's record"
    monkeypatch.setattr(Inbox, "accept", accept)
    site.delete("posts/trip/beach.jpg")
    reaching_the_handler(site, "posts/trip/beach.jpg", request_id="photo-upload")  # Lambda's retry
    holder.free()
    site.invoke({"pressroom": "tick"})
    drop_queued_copies(site)
    assert_converged(site)
    assert variants(site) == set()


def test_pressroom_rebuild_after_an_encoder_upgrade_names_every_variant_for_the_new_encoder(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A deploy with another Pillow or libavif: variants are named for the encoder that makes
    them, so `pressroom rebuild` reads every image's facts again (a record made by the old
    encoder is not reused) and the site equals the full build made with the new one."""
    from pressroom.core.images import processing
    from pressroom.engine import ahead
    from pressroom.shells.cli import main as pressroom

    new = processing.encoder_identity
    old = lambda: "Pillow 0.1 (the encoder before the upgrade)"  # noqa: E731
    monkeypatch.setattr(processing, "encoder_identity", old)
    monkeypatch.setattr(ahead, "encoder_identity", old)
    start(site)
    site.put("posts/trip/index.md", POST)
    site.put("posts/trip/beach.jpg", photo(700, 500))
    site.drain()
    made_by_old = variants(site)
    monkeypatch.setattr(processing, "encoder_identity", new)  # the deploy
    monkeypatch.setattr(ahead, "encoder_identity", new)
    assert pressroom(["rebuild", "--now", site.now.isoformat()]) == 0
    assert_converged(site)
    assert variants(site).isdisjoint(made_by_old)


def test_a_first_publish_of_a_photo_blog_makes_two_images_a_step_and_hands_on_between_them(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A step of the journal must fit in the time an invocation keeps in hand (20 s); a 12-MP
    HEIC takes about 8 s on Lambda. So the rebuild that first publishes eight photos decodes at
    most two per step, hands on between steps, and the site equals the full build."""
    from functools import lru_cache

    from pressroom.core.images import processing
    from pressroom.engine import writing
    from support.accounts import hand_on_often

    hand_on_often(monkeypatch)
    monkeypatch.setattr(writing, "RENDER_CHUNK", 250)  # only the images bound the steps
    decoded_in_step: list[int] = [0]
    process = processing._processed.__wrapped__

    def counting(data: bytes, key: str, identity: str) -> Any:
        decoded_in_step[-1] += 1
        return process(data, key, identity)

    monkeypatch.setattr(processing, "_processed", lru_cache(maxsize=2)(counting))
    render_chunk = writing.OutputWriter._render_chunk

    def one_step(self: writing.OutputWriter, *args: Any, **kwargs: Any) -> Any:
        decoded_in_step.append(0)
        return render_chunk(self, *args, **kwargs)

    monkeypatch.setattr(writing.OutputWriter, "_render_chunk", one_step)
    site.put("site.yaml", b"title: Photos\nbaseURL: https://photos.example/\n")
    for n in range(8):
        site.put(f"posts/trip{n}/index.md", POST.replace(b"Trip", f"Trip {n}".encode()))
        site.put(f"posts/trip{n}/beach.jpg", photo(400 + 10 * n, 300, colour=(n * 30, 90, 160)))
    stats = site.drain()
    assert sum(decoded_in_step) >= 8, "every photo decoded"
    assert max(decoded_in_step) <= writing.IMAGES_PER_CHUNK
    assert stats.batches > 1
    monkeypatch.undo()  # the full build decodes as it likes
    assert_converged(site)


@pytest.mark.parametrize("order", ["post first", "photo first"])
def test_a_phones_heic_converges_to_the_full_build_with_its_variants_and_without_its_gps(
    site: Site, order: str
) -> None:
    """Issue 22: a HEIC (tests/fixtures/images/portrait.heic: shown 300 x 400 by its `irot`, GPS in
    its Exif item) is shown as a `<picture>` with a JPEG fallback, and published at its own URL
    without location or camera data, on the event path as on `pressroom build`."""
    heic = (Path(__file__).parents[1] / "fixtures" / "images" / "portrait.heic").read_bytes()
    start(site)
    files = [("posts/trip/index.md", POST.replace(b"beach.jpg", b"IMG_0001.HEIC")), ("posts/trip/IMG_0001.HEIC", heic)]
    for key, body in files if order == "post first" else reversed(files):
        site.put(key, body)
        site.drain()
        assert_converged(site)
    page = site.published()["posts/trip/index.html"][0].decode()
    img = re.search(r"<img [^>]*>", page).group(0)
    assert "<picture>" in page and 'type="image/avif"' in page and 'type="image/webp"' in page
    assert re.search(r'src="IMG_0001\.[0-9a-f]{12}\.300\.jpg"', img) and 'width="300" height="400"' in img
    published, content_type = site.published()["posts/trip/IMG_0001.HEIC"][:2]
    assert len(published) == len(heic) and b"Model X100" in heic and b"Model X100" not in published
    assert content_type == "image/heic"
    variant_keys = [
        key for key in site.published() if re.fullmatch(r"posts/trip/IMG_0001\.[0-9a-f]{12}\.\d+\.\w+", key)
    ]
    assert len(variant_keys) == 9  # 96, 160, 192 and 300 px in AVIF and WebP, the 300-px JPEG
    assert site.errors() == {}


def test_the_invocation_a_photo_reaches_writes_no_variant_of_a_bundle_file_its_page_does_not_publish(
    site: Site,
) -> None:
    """The upload's invocation places an image by the holder's rule (`asset_place`): a bundle's
    photo under `build: {publishResources: false}` that is not its feature image is never
    published, so no variant of it reaches the public bucket, not even until the round sweeps."""
    start(site)
    hidden = POST.replace(b"tags: [travel]\n", b"tags: [travel]\nbuild: {publishResources: false}\n")
    site.put("posts/trip/index.md", hidden)
    site.drain()
    holder = hold_the_lease()
    upload_reaching_the_handler(site, "posts/trip/beach.jpg", photo(640, 480))
    assert variants(site) == set(), "no variant of an image the site does not publish"
    holder.free()
    site.invoke({"pressroom": "tick"})
    drop_queued_copies(site)
    assert_converged(site)
    assert "posts/trip/beach.jpg" not in site.published() and variants(site) == set()
