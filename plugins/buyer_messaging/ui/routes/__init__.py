"""The dashboard's routes, an APIRouter per panel; `ui.app.create_app` includes them all."""
