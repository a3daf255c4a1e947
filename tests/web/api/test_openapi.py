"""The API's own OpenAPI document, served where border systems' developers look for it:
both paths, their body types, the idempotency key, the bearer scheme and the problems."""

from __future__ import annotations

PROBLEM = "application/problem+json"


def test_the_openapi_document_describes_both_paths_and_the_bearer_scheme(serve):
    served = serve()
    with served.client() as client:
        answer = client.get("/openapi.json")
    assert answer.status_code == 200 and "set-cookie" not in answer.headers
    spec = answer.json()
    assert spec["info"]["title"] == "tracker API for border systems"
    assert "bearer token" in spec["info"]["description"]
    assert {"/manifests", "/screenings/{screening_id}"} <= set(spec["paths"])
    push = spec["paths"]["/manifests"]["post"]
    assert set(push["requestBody"]["content"]) == {
        "application/edifact",
        "text/csv",
        "application/x-ndjson",
    }
    [key] = [p for p in push["parameters"] if p["name"] == "Idempotency-Key"]
    assert key["required"] is True and key["schema"]["maxLength"] == 200
    assert push["summary"] and push["description"]
    assert {"201", "200", "400", "401", "403", "409", "413", "415", "422", "429", "503"} <= set(
        push["responses"]
    )
    assert PROBLEM in push["responses"]["413"]["content"]
    assert "Retry-After" in push["responses"]["503"]["headers"]
    read = spec["paths"]["/screenings/{screening_id}"]["get"]
    assert {"200", "401", "404"} <= set(read["responses"])
    scheme = spec["components"]["securitySchemes"]["bearerToken"]
    assert (scheme["type"], scheme["scheme"]) == ("http", "bearer")
    assert push["security"] == [{"bearerToken": []}] and read["security"] == push["security"]
    assert spec.get("servers") == [{"url": "/api/v1"}]
