"""Assistant: retrieval, extractive answers, the HTTP API and the web chat."""
