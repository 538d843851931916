"""Statement counts that must not grow with the rows a page shows."""


def statements(count_statements, client, url: str, status: int = 200) -> int:
    """The SQL statements one GET of ``url`` sends (the body read to its end,
    so that streamed downloads count too)."""
    with count_statements() as log:
        response = client.get(url)
        response.get_data()
    assert response.status_code == status, (url, response.status_code)
    return len(log)


def counts(count_statements, client, urls) -> dict:
    return {url: statements(count_statements, client, url) for url in urls}


def assert_same_counts(small: dict, large: dict) -> None:
    grown = {url: (small[url], large[url]) for url in small if small[url] != large[url]}
    assert not grown, f"statements grew with the rows (url: (N, 3N)): {grown}"
