print(text)
