def test_home_is_arabic_and_right_to_left_by_default(app, client, commune):
    app.config["DEFAULT_LANGUAGE"] = "ar"  # the production default
    try:
        page = client.get("/")
    finally:
        app.config["DEFAULT_LANGUAGE"] = "en"
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert 'lang="ar" dir="rtl"' in text and "منصة المشاركة بوزان" in text
