"""A photo's location and camera data never reach the site unless the site keeps them (SPEC 1,
issue 22.3): the published original loses them losslessly, on the full build and the event path."""

from __future__ import annotations

import itertools
import time
from datetime import UTC, datetime

from tests.unit.test_images import GPS_IFD, camera_jpeg, decoded

from pressroom.adapters.memory import MemoryBucket, MemorySite, MemoryTable
from pressroom.core.build import build_site
from pressroom.engine.publisher import Ports, Publisher

NOW = datetime(2026, 1, 1, tzinfo=UTC)
EVENTS = itertools.count()
POST = b"---\ntitle: Trip\ndate: 2025-06-01\n---\n![the view](view.jpg)\n"


def _files(photo: bytes, settings: bytes = b"title: T\n") -> dict[str, bytes]:
    return {"site.yaml": settings, "posts/trip/index.md": POST, "posts/trip/view.jpg": photo}


def _published(files: dict[str, bytes]) -> dict[str, bytes]:
    ports = Ports(MemoryBucket(), MemorySite(), MemoryTable(), clock=time.time)
    for name, data in files.items():
        ports.source.upload(name, data)  # type: ignore[attr-defined]
    publisher = Publisher(ports, NOW)
    publisher.accept([(f"e{next(EVENTS)}", name) for name in sorted(files)])
    publisher.run()
    site = ports.site
    assert isinstance(site, MemorySite)
    return {key: body for key in site.list_keys() if (body := site.read(key)) is not None}


def test_a_camera_photo_is_published_without_its_gps_on_the_full_build_and_the_event_path() -> None:
    photo = camera_jpeg()
    assert decoded(photo).getexif().get_ifd(GPS_IFD)
    built = build_site(_files(photo), NOW)
    published = built.outputs["posts/trip/view.jpg"]
    assert not decoded(published).getexif().get_ifd(GPS_IFD)
    assert b"GPS" not in published and b"Model X100" not in published
    assert decoded(published).tobytes() == decoded(photo).tobytes()  # the pixels are untouched
    assert _published(_files(photo)) == built.outputs


def test_a_site_that_keeps_metadata_publishes_the_photo_byte_for_byte() -> None:
    photo = camera_jpeg()
    files = _files(photo, b"title: T\nkeepImageMetadata: true\n")
    assert build_site(files, NOW).outputs["posts/trip/view.jpg"] == photo
    assert _published(files)["posts/trip/view.jpg"] == photo


def test_a_truncated_photo_is_not_published_and_its_error_names_it_while_its_page_is() -> None:
    broken = camera_jpeg()[:400]
    built = build_site(_files(broken), NOW)
    assert "posts/trip/view.jpg" not in built.outputs
    assert "posts/trip/index.html" in built.outputs
    assert [error.source_key for error in built.errors] == ["posts/trip/view.jpg"]
    assert "truncated" in str(built.errors[0])
    assert _published(_files(broken)) == built.outputs


def test_a_photo_under_a_lying_extension_is_cleaned_too() -> None:
    """The format comes from the bytes: a camera JPEG uploaded as `.gif` loses its GPS as well."""
    photo = camera_jpeg()
    files = {**_files(photo), "posts/trip/view.gif": photo}
    built = build_site(files, NOW)
    assert b"GPS" not in built.outputs["posts/trip/view.gif"]
    assert _published(files) == built.outputs
