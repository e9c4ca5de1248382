"""The API reference: the served OpenAPI document and its offline Swagger UI page at /schema."""
