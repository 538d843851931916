def test_home_is_arabic_and_right_to_left_by_default(client, commune):
    page = client.get("/")
    assert page.status_code == 200
    assert 'lang="ar" dir="rtl"' in page.get_data(as_text=True)
