import shlex

from harness import llamacpp


def test_requirements_file_is_in_the_checkout(snippet):
    (line,) = snippet.source().splitlines()
    argv = shlex.split(line)
    assert argv[:3] == ["pip", "install", "-r"], line
    requirements = llamacpp.ensure() / argv[3]
    assert requirements.is_file(), f"{snippet.where()}: {argv[3]} is not in llama.cpp's tree"
    names = (
        requirements.read_text()
        + (requirements.parent / "requirements-convert_legacy_llama.txt").read_text()
    )
    for package in ("torch", "transformers", "sentencepiece", "numpy", "gguf"):
        assert package in names, f"{argv[3]} no longer names {package}"
