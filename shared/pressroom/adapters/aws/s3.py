"""The S3 adapters of the ports: the source bucket, the site bucket and the prefix `pressroom sync`
mirrors a folder into; each takes its boto3 client as a parameter."""

from __future__ import annotations

import builtins
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from boto3.s3.transfer import TransferConfig
from botocore.exceptions import BotoCoreError, ClientError

from pressroom.core.rendering.mime import Headers
from pressroom.core.site.urls import refuse_unsafe_key
from pressroom.exceptions import SyncError, TransientError
from pressroom.ports import Listed, RemoteObject, SourceObject

ETAG_VERSION = "etag:"
"""A version that is an ETag (an unversioned bucket): it names bytes, but they cannot be read back."""


def _etag(answer: Mapping[str, Any]) -> str:
    return str(answer.get("ETag", "")).strip('"')


class _Bucket:
    """What both buckets answer: a key's bytes, and the keys under a prefix."""

    def __init__(self, client: Any, bucket: str) -> None:
        self.client = client
        self.bucket = bucket

    def _get(self, key: str, **options: Any) -> Any:
        try:
            return self.client.get_object(Bucket=self.bucket, Key=key, **options)
        except self.client.exceptions.NoSuchKey:
            return None
        except self.client.exceptions.ClientError as error:
            code = error.response.get("Error", {}).get("Code")
            if code in {"NoSuchKey", "404", "NoSuchVersion", "InvalidArgument"}:
                return None
            if code == "InvalidRange":
                return {"Body": None, "ETag": error.response.get("ETag", "")}
            raise

    def list(self, prefix: str = "", start_after: str = "", limit: int | None = None) -> list[Listed]:
        found: list[Listed] = []
        options: dict[str, Any] = {"Bucket": self.bucket, "Prefix": prefix}
        if start_after:
            options["StartAfter"] = start_after
        paginator = self.client.get_paginator("list_objects_v2")
        page_size = {"PageSize": min(limit, 1000)} if limit else {}
        for page in paginator.paginate(**options, PaginationConfig=page_size):
            for item in page.get("Contents", []):
                found.append(Listed(item["Key"], str(item.get("ETag", "")).strip('"')))
                if limit is not None and len(found) >= limit:
                    return found
        return found

    def list_keys(self, prefix: str = "") -> builtins.list[str]:
        return [item.key for item in self.list(prefix)]


class S3Source(_Bucket):
    """The source bucket: the current state of each key (an event is a hint, not the truth)."""

    def read(self, key: str, version: str | None = None, max_bytes: int | None = None) -> SourceObject | None:
        options: dict[str, Any] = {}
        if max_bytes is not None:
            options["Range"] = f"bytes=0-{max_bytes - 1}"
        pinned = version is not None and not version.startswith(ETAG_VERSION) and version != "null"
        answer = self._get(key, **options, **({"VersionId": version} if pinned else {}))
        if answer is None:
            return None
        body = answer["Body"].read() if answer.get("Body") is not None else b""
        version_id = answer.get("VersionId")
        etag = _etag(answer)
        if version_id and version_id != "null":
            return SourceObject(body, version_id, pinned=True, etag=etag)
        return SourceObject(body, ETAG_VERSION + etag, pinned=False, etag=etag)

    def stat(self, key: str) -> str | None:
        try:
            answer = self.client.head_object(Bucket=self.bucket, Key=key)
        except self.client.exceptions.ClientError as error:
            if error.response.get("Error", {}).get("Code") in {"404", "NoSuchKey", "NotFound"}:
                return None
            raise
        version_id = answer.get("VersionId")
        return version_id if version_id and version_id != "null" else ETAG_VERSION + _etag(answer)


class S3SiteStore(_Bucket):
    """The site bucket."""

    def read(self, key: str) -> bytes | None:
        answer = self._get(key)
        if answer is None or answer.get("Body") is None:
            return None
        body: bytes = answer["Body"].read()
        return body

    def put(self, key: str, body: bytes, headers: Headers) -> None:
        refuse_unsafe_key(key, f"s3://{self.bucket}")
        extra = {"ContentDisposition": headers.disposition} if headers.disposition else {}
        self.client.put_object(
            Bucket=self.bucket,
            Key=key,
            Body=body,
            ContentType=headers.content_type,
            CacheControl=headers.cache_control,
            **extra,
        )

    def delete(self, keys: Iterable[str]) -> None:
        ordered = sorted(set(keys))
        for start in range(0, len(ordered), 1000):
            chunk = [{"Key": key} for key in ordered[start : start + 1000]]
            answer = self.client.delete_objects(Bucket=self.bucket, Delete={"Objects": chunk, "Quiet": True})
            if answer.get("Errors"):
                refused = ", ".join(f"{e.get('Key')}: {e.get('Code')}" for e in answer["Errors"][:5])
                raise TransientError(f"s3://{self.bucket}: deletes refused ({refused})")


SHA256_METADATA_KEY = "sha256"  # sent as the header x-amz-meta-sha256

# Above this size a file goes up in parts (its ETag is then not an MD5: the metadata SHA-256
# keeps the comparison exact). Parts run one after another because files already run in parallel.
_TRANSFER_CONFIG = TransferConfig(
    multipart_threshold=64 * 1024 * 1024,
    multipart_chunksize=16 * 1024 * 1024,
    use_threads=False,
)


class S3SyncTarget:
    """The prefix of a bucket that `pressroom sync` mirrors a folder into (keys relative to it).

    A listing gives each object's size and ETag; every upload also stores the body's SHA-256 in the
    object's metadata (`x-amz-meta-sha256`), which one HEAD reads back when the ETag is not an MD5
    (a multipart upload, SSE-KMS). Objects outside the prefix are never read or touched.
    """

    def __init__(self, client: Any, bucket: str, prefix: str) -> None:
        self.client = client
        self.bucket = bucket
        self.prefix = prefix
        """Empty, or ending in `/`: so that `blog/` never reaches `blog2/...`."""

    def where(self, key: str = "") -> str:
        return f"s3://{self.bucket}/{self.prefix}{key}"

    def list_objects(self) -> dict[str, RemoteObject]:
        """Keys ending in `/` are the folder markers some consoles create: they are not files, so
        they are neither compared nor deleted."""
        remote: dict[str, RemoteObject] = {}
        try:
            pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=self.prefix)
            for page in pages:
                for item in page.get("Contents", []):
                    relative = item["Key"][len(self.prefix) :]
                    if not relative or relative.endswith("/"):
                        continue
                    etag = item.get("ETag", "").strip('"').lower()
                    remote[relative] = RemoteObject(size=item.get("Size", 0), etag=etag)
        except (ClientError, BotoCoreError) as error:
            raise SyncError(f"{self.where()}: cannot list the objects: {error}") from error
        return remote

    def stored_sha256(self, key: str) -> str | None:
        try:
            metadata = self.client.head_object(Bucket=self.bucket, Key=self.prefix + key).get("Metadata", {})
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in ("404", "NoSuchKey"):
                return None  # deleted since the listing: it will be uploaded again
            raise SyncError(f"{self.where(key)}: cannot read its metadata: {error}") from error
        sha256: str | None = metadata.get(SHA256_METADATA_KEY)
        return sha256

    def put(self, key: str, path: Path, content_type: str, sha256: str) -> None:
        extra_args = {"ContentType": content_type, "Metadata": {SHA256_METADATA_KEY: sha256}}
        self.client.upload_file(
            str(path), self.bucket, self.prefix + key, ExtraArgs=extra_args, Config=_TRANSFER_CONFIG
        )

    def delete(self, keys: Sequence[str]) -> dict[str, str]:
        """One DeleteObjects request per 1000 keys (S3's limit)."""
        refused: dict[str, str] = {}
        for start in range(0, len(keys), 1000):
            response = self.client.delete_objects(
                Bucket=self.bucket,
                Delete={"Objects": [{"Key": self.prefix + key} for key in keys[start : start + 1000]], "Quiet": True},
            )
            for error in response.get("Errors", []):
                refused[error.get("Key", "")[len(self.prefix) :]] = f"{error.get('Code')}: {error.get('Message')}"
        return refused
