def test_omits_the_system_turn(run):
    assert run.namespace["messages"][0]["role"] == "user"
