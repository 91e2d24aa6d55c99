def test_prints_what_generate_returns(run, answer_of):
    answer = answer_of(run.namespace["generated_ids"])
    assert answer.strip(), "streamed an empty answer"
    assert run.printed == answer + "\n"
