def test_streams_what_it_prints(run):
    (exchange,) = run.record.exchanges
    assert exchange.request["stream"] is True
    assert run.printed == exchange.answer + "\n"
