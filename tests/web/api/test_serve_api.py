"""`tracker serve` makes the API with the installation's API settings."""

from __future__ import annotations

from click.testing import CliRunner

from tracker.cli import main


def test_serve_mounts_the_api_with_its_settings(db_url, monkeypatch, tmp_path):
    import uvicorn

    started = {}
    monkeypatch.setenv("TRACKER_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("TRACKER_API_RATE_PER_MINUTE", "60")
    monkeypatch.setenv("TRACKER_API_MAX_BODY_BYTES", "1048576")
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: started.update(app=app))
    result = CliRunner().invoke(main, ["--db", db_url, "serve"])
    assert result.exit_code == 0, result.output
    assert "/api/v1/" in result.output
    api = started["app"].state.api
    assert api.state.rate_limiter.capacity == 60
    assert api.state.api_settings.max_body_bytes == 1048576
    started["app"].state.engine.dispose()


def test_serve_without_a_model_starts_and_leaves_screening_cold(serve):
    served = serve(lifespan=True)
    with served.client() as client:
        assert client.get("/openapi.json").status_code == 200
    warm_up = served.app.state.screening_warm_up
    assert warm_up.ready.wait(60), "the warm-up did not end"
    assert warm_up.outcome == "no_model"
