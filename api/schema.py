"""The served OpenAPI schema, made plain for generated clients."""

from __future__ import annotations


def _has_file(schema: dict, components: dict, seen=None) -> bool:
    seen = seen or set()
    ref = schema.get("$ref")
    if ref:
        if ref in seen:
            return False
        seen.add(ref)
        schema = components.get(ref.rsplit("/", 1)[-1], {})
    if schema.get("format") == "binary":
        return True
    children = list((schema.get("properties") or {}).values())
    if isinstance(schema.get("items"), dict):
        children.append(schema["items"])
    return any(_has_file(child, components, seen) for child in children)


def json_bodies(result, generator, request, public):
    """Document a request body in one encoding: JSON, or a multipart form when it carries
    a file (evidence). The API still reads the others, but a client generated from a body
    offered in several encodings gets an optional body of a union type, and
    openapi-python-client 0.29 then writes a module that fails to import."""
    components = result.get("components", {}).get("schemas", {})
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            content = (operation.get("requestBody") or {}).get("content")
            if not content or "application/json" not in content:
                continue
            keep = "application/json"
            if _has_file(content[keep].get("schema", {}), components) \
                    and "multipart/form-data" in content:
                keep = "multipart/form-data"
            for media in [m for m in content if m != keep]:
                del content[media]
    return result
