def test_sets_what_the_page_says(sets):
    sets(dtype="half")
