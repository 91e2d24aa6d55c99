import torch


def test_matches_plain_generation(run, base, answer_of):
    torch.manual_seed(0)
    plain = base.namespace["model"].generate(**base.namespace["model_inputs"], max_new_tokens=512)
    assert run.printed.strip() and run.printed == answer_of(plain) + "\n"
