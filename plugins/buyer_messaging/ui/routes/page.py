"""The dashboard's HTML page and its static files."""

from pathlib import Path

from fastapi import APIRouter, HTTPException, status
from fastapi.responses import FileResponse, HTMLResponse

from buyer_messaging.ui.deps import PageUser

STATIC = Path(__file__).resolve().parents[1] / "static"
STATIC_FILES = {
    "app.js": "text/javascript",
    "style.css": "text/css",
    "coverage.js": "text/javascript",
}

router = APIRouter(include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
def page(user: PageUser) -> FileResponse:
    return FileResponse(
        STATIC / "index.html", media_type="text/html", headers={"Cache-Control": "no-store"}
    )


@router.get("/static/{name}")
def static(name: str, user: PageUser) -> FileResponse:
    if name not in STATIC_FILES:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no such file")
    return FileResponse(STATIC / name, media_type=STATIC_FILES[name])
