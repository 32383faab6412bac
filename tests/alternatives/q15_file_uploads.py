"""Q15 · File uploads (intermediate)

Question: how do you accept uploaded files in FastAPI, and how do you validate them before trusting them?

Write two upload routes on ``app`` that check every file and describe what they received.

Contract (the hidden tests check exactly this):

- ``POST /upload/`` takes one file in the multipart form field ``file`` and answers 200 with
  ``{"filename": <name sent>, "content_type": <type the client declared>, "size": <bytes>,
  "sha256": <SHA-256 of the content, lowercase hex>}``.
- Rules checked for every file, each refused with its own status and a body ``{"detail": <non-empty
  message>}`` (the wording is free):
  * content type: the declared media type, ignoring parameters such as ``; charset=utf-8``, must be one
    of ``ALLOWED_CONTENT_TYPES`` (``text/plain``, ``image/png``, ``image/jpeg``, ``application/pdf``),
    otherwise **415**;
  * an empty file (0 bytes) → **400**;
  * a file larger than ``MAX_FILE_SIZE`` = 1 MiB (1_048_576 bytes) → **413**; exactly 1 MiB is accepted.
  A file that breaks several rules may get the status of any rule it breaks.
- ``POST /uploads/`` takes several files, all in the repeated form field ``files``, and answers 200 with
  ``{"files": [<one object as above per file, in the order sent>], "count": <number of files>,
  "total_size": <sum of the sizes>}``. If any file breaks a rule, the whole request is refused with
  that file's status.
- A request without the expected form field answers 422 (FastAPI's own validation).

Run it: ``uvicorn q15_file_uploads:app --reload`` then
``curl -F "file=@notes.txt;type=text/plain" http://127.0.0.1:8000/upload/``
"""

import hashlib
from typing import Annotated

from fastapi import FastAPI, File, HTTPException, UploadFile, status
from pydantic import BaseModel

MAX_FILE_SIZE = 1024 * 1024
ALLOWED_CONTENT_TYPES = frozenset({"text/plain", "image/png", "image/jpeg", "application/pdf"})

app = FastAPI()


class FileInfo(BaseModel):
    filename: str | None
    content_type: str | None
    size: int
    sha256: str


class UploadsInfo(BaseModel):
    files: list[FileInfo]
    count: int
    total_size: int


class UploadRejected(HTTPException):
    """An upload that breaks one of the rules; answered as {"detail": ...} with the rule's status."""


class UploadInspector:
    """Checks one upload against the rules and describes it, reading it in chunks.

    The declared type is checked before any byte is read; the content is then streamed through SHA-256
    and counted, and reading stops as soon as the file is known to be too large.
    """

    CHUNK_SIZE = 64 * 1024

    def __init__(self, max_size: int = MAX_FILE_SIZE, allowed_types: frozenset[str] = ALLOWED_CONTENT_TYPES):
        self.max_size = max_size
        self.allowed_types = allowed_types

    @staticmethod
    def media_type(declared: str | None) -> str:
        # "Text/Plain; charset=utf-8" -> "text/plain"
        return (declared or "").split(";", 1)[0].strip().lower()

    async def inspect(self, upload: UploadFile) -> FileInfo:
        media_type = self.media_type(upload.content_type)
        if media_type not in self.allowed_types:
            raise UploadRejected(
                status.HTTP_415_UNSUPPORTED_MEDIA_TYPE,
                f"{upload.filename!r}: content type {media_type or 'missing'!r} is not allowed; "
                f"allowed: {', '.join(sorted(self.allowed_types))}",
            )

        digest = hashlib.sha256()
        size = 0
        while chunk := await upload.read(self.CHUNK_SIZE):
            size += len(chunk)
            if size > self.max_size:
                raise UploadRejected(
                    status.HTTP_413_CONTENT_TOO_LARGE,
                    f"{upload.filename!r} is larger than the limit of {self.max_size} bytes",
                )
            digest.update(chunk)

        if size == 0:
            raise UploadRejected(status.HTTP_400_BAD_REQUEST, f"{upload.filename!r} is empty")

        return FileInfo(
            filename=upload.filename,
            content_type=upload.content_type,
            size=size,
            sha256=digest.hexdigest(),
        )


inspector = UploadInspector()


@app.post("/upload/")
async def upload_one(file: Annotated[UploadFile, File(description="the file to check")]) -> FileInfo:
    return await inspector.inspect(file)


@app.post("/uploads/")
async def upload_many(files: Annotated[list[UploadFile], File(description="the files to check")]) -> UploadsInfo:
    described = [await inspector.inspect(upload) for upload in files]  # the first bad file refuses all
    return UploadsInfo(files=described, count=len(described), total_size=sum(info.size for info in described))
